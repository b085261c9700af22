"""Addresses for comparison: the dwelling (building, unit, floor, room) parsed out of the ways
departments write it — ``3栋2单元501``, ``3号楼2单元501室``, ``3-2-501``, ``三栋二单元五零一``,
``3幢2单元5楼1室`` — and the place before it (compound, road), so that the same flat written
four ways is one key.
"""

import functools
import re
import unicodedata
from dataclasses import dataclass

import opencc

_TRADITIONAL_TO_SIMPLIFIED = opencc.OpenCC("t2s")
_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUMERAL_RUN = re.compile("[零〇○一二两三四五六七八九十百千]+")
# 两 is a numeral only before a counter: 两单元 yes, 两湖 no.
_STANDALONE_TWO = re.compile("两(?![栋幢座号楼单元层室户十百])")
# A building labelled 号楼/栋/幢/座/号 (or followed by a dash) — its label a number, a letter,
# or both (3, A, 12A, A3), never the tail of a longer one —, an optional unit (单元, 门 or a
# dash), an optional floor (层/楼), then the room at the very end.
_DWELLING = re.compile(
    r"(?<![0-9A-Z])(?P<building>[0-9]+[A-Z]?|[A-Z][0-9]*)(?:号楼|栋|幢|座|号|楼(?=\d+单元)|-)"
    r"(?:(?P<unit>[0-9]+)(?:单元|门|-))?"
    r"(?:(?P<floor>[0-9]+)(?:层|楼))?"
    r"(?P<room>[0-9]+)(?:室|号|户)?$"
)
_BUILDING_LABEL = re.compile(r"([0-9]+[A-Z]?|[A-Z][0-9]*)(?:栋|号|楼)?")
_NOISE = re.compile(r"[\s,，.。;；:：()（）\[\]【】\"'“”]")
_DASHES = re.compile(r"[—–－~～_/#]")


@dataclass(frozen=True)
class Address:
    """A parsed address. ``place`` is everything before the dwelling (compound, road and any
    divisions written), ``text`` the whole normalised address."""

    text: str
    place: str = ""
    building: str = ""
    unit: str = ""
    floor: str = ""
    room: str = ""

    @property
    def dwelling(self) -> str:
        """``building-unit-room`` (the unit empty when not written), or "" if not parsed."""
        return f"{self.building}-{self.unit}-{self.room}" if self.room else ""


def chinese_numerals_to_digits(text: str) -> str:
    """Chinese numerals to Arabic digits: 十二 → 12, 二十一 → 21, 一百零一 → 101, and digit by
    digit where no 十/百/千 is written (五零一 → 501)."""
    text = _STANDALONE_TWO.sub("\0", text)
    return _NUMERAL_RUN.sub(lambda match: str(_numeral_value(match.group())), text).replace(
        "\0", "两")


def _numeral_value(run: str) -> str:
    if not any(character in _UNITS for character in run):
        return "".join(str(_DIGITS[character]) for character in run)
    total, digit = 0, None
    for character in run:
        if character in _UNITS:
            total += (1 if digit is None else digit) * _UNITS[character]
            digit = None
        else:
            digit = _DIGITS[character]
    return str(total + (digit or 0))


@functools.cache
def _is_simplified(character: str) -> bool:
    return _TRADITIONAL_TO_SIMPLIFIED.convert(character) == character


def _simplified(text: str) -> str:
    """OpenCC's conversion (phrases included), skipped for text with no Traditional character
    in it, as most addresses are: it costs more than all the rest of reading an address."""
    if all(map(_is_simplified, set(text))):
        return text
    return _TRADITIONAL_TO_SIMPLIFIED.convert(text)


def _normalised(value: str) -> str:
    """Width, Simplified characters, numerals and separators made one way; 号楼, 幢 and 座
    written 栋."""
    text = unicodedata.normalize("NFKC", str(value)).upper()
    text = _NOISE.sub("", _DASHES.sub("-", text))
    text = chinese_numerals_to_digits(_simplified(text))
    return text.replace("号楼", "栋").replace("幢", "栋").replace("座", "栋")


def building_label(value: str) -> str:
    """A building's label as ``parse_address`` gives it: 3栋, 3号楼, 3幢, 三栋 and 03 are all
    3; a building with another kind of name (综合楼) keeps its normalised name."""
    text = _normalised(value)
    if match := _BUILDING_LABEL.fullmatch(text):
        return match[1].lstrip("0") or "0"
    return text


_BUILDING_AT_END = re.compile(
    r"^(?P<place>.*?)(?<![0-9A-Z])(?P<label>[0-9]+[A-Z]?|[A-Z][0-9]*)(?:栋|号)$")


@functools.lru_cache(maxsize=1 << 16)
def normalised_address(value: str) -> str:
    """An address written one way: width, Simplified characters, numerals and separators; 号楼,
    幢 and 座 written 栋."""
    return _normalised(value)


def place_key(place: str) -> str:
    """The place before a building as the address base compares it: 惠民家园小区 and 惠民家园
    are one compound."""
    return place.removesuffix("小区") or place


def building_key(value: str) -> tuple[str, str]:
    """A building's name or address as (place, label), the way ``parse_address`` splits an
    address: 同心苑1栋 and 同心苑1号楼 → (同心苑, 1); 香港路188号 → (香港路, 188); a name with
    no number (综合楼) → (综合楼, "")."""
    text = normalised_address(value)
    if match := _BUILDING_AT_END.match(text):
        return place_key(match["place"].rstrip("-")), match["label"].lstrip("0") or "0"
    return place_key(text), ""


@functools.lru_cache(maxsize=1 << 16)  # about 40 MB at most, kept by long-lived workers
def parse_address(value: str) -> Address:
    """Normalise an address (width, Simplified characters, numerals, separators) and split off
    the dwelling at its end. A room written with its floor (5楼1室) becomes 501; leading zeros
    go, so 0501 and 501 agree."""
    return parse_normalised(_normalised(value))


def parse_normalised(text: str) -> Address:
    """``parse_address`` of a text already normalised (``normalised_address``)."""
    match = _DWELLING.search(text)
    if match is None:
        return Address(text=text)
    room = match["room"].lstrip("0") or "0"
    floor = match["floor"] or ""
    if floor and len(room) <= 2:
        room = f"{int(floor)}{int(room):02d}"
    elif not floor and len(room) >= 3:
        floor = room[:-2]
    return Address(
        text=text, place=text[: match.start()].rstrip("-"),
        building=match["building"].lstrip("0") or "0", unit=(match["unit"] or "").lstrip("0"),
        floor=floor.lstrip("0"), room=room,
    )
