"""The standard address base (标准地址库): every building of a jurisdiction known by the ways
people write it, so that an address as a department or a resident writes it names one dwelling.

A building is known by its name (同心苑1栋), its compound and number, its road address
(香港路188号, with or without the compound), the aliases staff gave it, and the street and
community it lies in. ``AddressBase(prefixes).resolve(text)`` reads an address through the
one parser (``normalisers.addresses``: width, Traditional characters, Chinese numerals,
栋/幢/号楼/座, 1-1-101, 1单元1楼1号), strips the divisions written before it, and answers a
dwelling only when exactly one fits. Anything else is a refusal naming the best candidates:
precision first, nothing is ever guessed.
"""

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.translation import gettext as _

from wangge.divisions.models import Division
from wangge.foundation.codes import is_within, parent_code, scope_prefix
from wangge.normalisers.addresses import (
    building_key,
    normalised_address,
    parse_normalised,
    place_key,
)

from .models import Building, BuildingAlias, Dwelling

# A road and its number (香港路188号, 解放大道1001号) at the start of a place.
_ROAD = re.compile(r"^(.+?(?:路|街|大道|大街|巷|道)[0-9]+(?:-[0-9]+)?号)(.*)$")
CANDIDATES_NAMED = 3


@dataclass(frozen=True)
class Placed:
    """An address resolved to one dwelling of one building."""

    building_id: int
    dwelling_id: int
    grid_code: str


class Why(StrEnum):
    """Why an address was refused: it names no dwelling (no unit or room), no single building
    (unknown or ambiguous: choosing one would place it), or a dwelling its building lacks."""

    NO_DWELLING = "no_dwelling"
    BUILDING = "building"
    DWELLING = "dwelling"


@dataclass(frozen=True)
class Refusal:
    """An address that names no single dwelling: why, and the buildings it may mean (their
    ids and names as people read them, best first)."""

    why: Why
    reason: str
    candidates: tuple[tuple[int, str], ...] = ()

    @property
    def message(self) -> str:
        if not self.candidates:
            return self.reason
        return _("%(reason)s Did you mean: %(candidates)s?") % {
            "reason": self.reason, "candidates": "、".join(name for _, name in self.candidates)}


@dataclass
class _Known:
    """A building as the base holds it."""

    pk: int
    name: str
    grid_code: str
    units: int
    label: str
    compound: str
    dwellings: dict[tuple[int, str], int] | None = None
    rooms: dict[str, list[int]] = field(default_factory=dict)


def _road_and_compound(place: str) -> tuple[str, str]:
    """香港路188号同心苑 → (香港路188号, 同心苑); a place with no road number → ("", place)."""
    if match := _ROAD.match(place):
        return match[1], place_key(match[2])
    return "", place


def building_written(name: str, address: str) -> str:
    """A building written in full, as the address base knows it: its address followed by its
    name unless the address already holds it (香港路188号 and 同心苑1栋 → 香港路188号同心苑1栋:
    a road address alone is shared by every building of a compound)."""
    return address if name in address else address + name


def building_described(name: str, grid_code: str, division_names: Mapping[str, str]) -> str:
    """A building as a person picks one: its name, then its street and community (a grid
    code means nothing to the staff choosing)."""
    community = parent_code(grid_code) or ""
    street = (parent_code(community) or "") if community else ""
    where = " ".join(division_names[code] for code in (street, community)
                     if code in division_names)
    return f"{name}（{where or grid_code}）"


def buildings_described(buildings: Iterable[Building]) -> list[tuple[int, str]]:
    """``building_described`` for each building, the names of their divisions read at once."""
    found = list(buildings)
    communities = {parent_code(building.grid_code) for building in found}
    codes = {*communities, *(parent_code(code) for code in communities if code)}
    names = dict(Division.objects.filter(code__in=codes).values_list("code", "name"))
    return [(building.pk, building_described(building.name, building.grid_code, names))
            for building in found]


class AddressBase:
    """The buildings of a jurisdiction (``prefixes``; ``[""]`` is everywhere), loaded once,
    and their dwellings, loaded per building as addresses name them."""

    def __init__(self, prefixes: list[str]):
        self.prefixes = prefixes
        self._buildings: dict[int, _Known] = {}
        self._keys: dict[tuple[str, str], set[int]] = {}
        self._aliases: dict[tuple[str, str], set[int]] = {}
        self._division_name: dict[str, str] = {}
        self._divisions = self._division_names()
        self._division_pattern = re.compile("^(?:" + "|".join(
            map(re.escape, sorted(self._divisions, key=len, reverse=True))) + ")"
        ) if self._divisions else None
        for pk, name, address, grid_code, units in Building.objects.in_scope(
                prefixes).values_list("pk", "name", "address", "grid_code", "units"):
            place, label = building_key(name)
            _road, compound = _road_and_compound(place)
            self._buildings[pk] = _Known(pk=pk, name=name, grid_code=grid_code, units=units,
                                         label=label, compound=compound)
            self._add(self._keys, (place, label), pk)
            self._add(self._keys, ("", label), pk)
            if address:
                self._add_address(pk, address, label)
        for building_id, text in BuildingAlias.objects.filter(
                building_id__in=self._buildings).values_list("building_id", "text"):
            self._add(self._aliases, building_key(self._stripped(text)[0]), building_id)

    @staticmethod
    def _add(index: dict[tuple[str, str], set[int]], key: tuple[str, str], pk: int) -> None:
        index.setdefault(key, set()).add(pk)

    def _add_address(self, pk: int, address: str, label: str) -> None:
        """The road address: 香港路188号同心苑1栋 also answers to 香港路188号1栋; a road
        address with no building in it (规划路1号) names the building by itself."""
        place, written_label = building_key(self._stripped(address)[0])
        self._add(self._keys, (place, written_label), pk)
        road, _compound = _road_and_compound(place)
        if road and written_label:
            self._add(self._keys, (road, written_label), pk)

    def _division_names(self) -> dict[str, set[str]]:
        """Every division name as written (大智街道, 同心社区, 江岸区, 武汉市, 湖北省, and the
        province and city without 省/市) → the code prefixes it narrows to."""
        names: dict[str, set[str]] = {}
        for code, name, level in Division.objects.values_list("code", "name", "level"):
            self._division_name[code] = name
            prefix = scope_prefix(code)
            for written in {normalised_address(name), *_short_forms(name, level)}:
                if written:
                    names.setdefault(written, set()).add(prefix)
        return names

    def _stripped(self, text: str) -> tuple[str, list[set[str]]]:
        """The normalised text without the divisions written before it, and the prefixes each
        of those divisions narrows to."""
        text = normalised_address(text)
        narrowing = []
        while self._division_pattern and (match := self._division_pattern.match(text)):
            narrowing.append(self._divisions[match[0]])
            text = text[match.end():]
        return text, narrowing

    def resolve(self, text: str, within: str | None = None) -> Placed | Refusal:
        """The one dwelling ``text`` names, or a refusal. ``within`` (a grid or division code
        given with the address) only narrows the search."""
        stripped, narrowing = self._stripped(text)
        parsed = parse_normalised(stripped)
        if not parsed.room:
            return Refusal(Why.NO_DWELLING, _(
                "Write the building, unit and room (such as 同心苑1栋1单元101)."))
        fits = [self._within_prefixes(within)] if within else []
        fits += narrowing
        place = place_key(parsed.place)
        building_ids = self._building_ids(place, parsed.building, fits)
        if len(building_ids) != 1:
            return self._refused(place, parsed.building, building_ids, fits)
        return self._dwelling(self._buildings[building_ids.pop()], parsed.unit, parsed.room)

    def building(self, text: str, within: str | None = None) -> int | Refusal:
        """The one building ``text`` names (with or without its unit and room: a resident
        reporting a leak names the building), or a refusal."""
        stripped, narrowing = self._stripped(text)
        parsed = parse_normalised(stripped)
        place, label = (place_key(parsed.place), parsed.building) if parsed.room else \
            building_key(stripped)
        fits = ([self._within_prefixes(within)] if within else []) + narrowing
        building_ids = self._building_ids(place, label, fits)
        if len(building_ids) != 1:
            return self._refused(place, label, building_ids, fits)
        return building_ids.pop()

    @staticmethod
    def _within_prefixes(code: str) -> set[str]:
        return {scope_prefix(code) if len(code) == 12 else code}

    def _building_ids(self, place: str, label: str, fits: list[set[str]]) -> set[int]:
        """An alias first (a choice staff made), then the ways the building is written."""
        for index in (self._aliases, self._keys):
            found = self._fitting(index.get((place, label), set()), fits)
            if not found and place:
                road, compound = _road_and_compound(place)
                if road and compound:  # both written: both must agree
                    found = self._fitting(index.get((road, label), set()), fits) & \
                        self._fitting(index.get((compound, label), set()), fits)
            if found:
                return set(found)
        return set()

    def _fitting(self, ids: set[int], fits: list[set[str]]) -> set[int]:
        for prefixes in fits:
            ids = {pk for pk in ids if is_within(self._buildings[pk].grid_code, prefixes)}
        return ids

    def _refused(self, place: str, label: str, ids: set[int],
                 fits: list[set[str]]) -> Refusal:
        if ids:
            reason = _("More than one building is written this way; give the street or "
                       "community, or choose the building.")
            best = sorted(ids, key=lambda pk: self._buildings[pk].grid_code)
        else:
            reason = _("No building is known by this address.")
            best = self._similar(place, label, fits)
        return Refusal(Why.BUILDING, reason,
                       tuple((pk, self.described(pk)) for pk in best[:CANDIDATES_NAMED]))

    def _similar(self, place: str, label: str, fits: list[set[str]]) -> list[int]:
        """Buildings with the same number whose compound reads most like ``place`` (only on a
        refusal, so its cost does not count)."""
        same_label = self._fitting(self._keys.get(("", label), set()), fits) or \
            self._keys.get(("", label), set())
        _road, compound = _road_and_compound(place)
        scored = sorted(((difflib.SequenceMatcher(None, compound, self._buildings[pk].compound)
                          .ratio(), pk) for pk in same_label), reverse=True)
        return [pk for score, pk in scored if score >= 0.5]

    def described(self, pk: int) -> str:
        known = self._buildings[pk]
        return building_described(known.name, known.grid_code, self._division_name)

    def _dwelling(self, known: _Known, unit: str, room: str) -> Placed | Refusal:
        if known.dwellings is None:
            self.load_dwellings([known.pk])
        assert known.dwellings is not None
        if unit:
            dwelling_id = known.dwellings.get((int(unit), room))
        elif len(rooms := known.rooms.get(room, [])) == 1:  # 同心苑1栋101 in a one-unit block
            dwelling_id = rooms[0]
        elif rooms:
            return Refusal(Why.DWELLING, _(
                "%(building)s has room %(room)s in more than one unit; write the unit.")
                % {"building": known.name, "room": room})
        else:
            dwelling_id = None
        if dwelling_id is None:
            return Refusal(Why.DWELLING, _(
                "%(building)s has no dwelling in unit %(unit)s, room %(room)s.")
                % {"building": known.name, "unit": unit or "?", "room": room})
        return Placed(building_id=known.pk, dwelling_id=dwelling_id, grid_code=known.grid_code)

    def load_dwellings(self, building_ids: list[int]) -> None:
        """The dwellings of these buildings, in one query (a big list loads them all)."""
        wanted = [pk for pk in building_ids if self._buildings[pk].dwellings is None]
        for pk in wanted:
            self._buildings[pk].dwellings = {}
        for step in range(0, len(wanted), 5000):
            for pk, building_id, unit, room in Dwelling.objects.filter(
                    building_id__in=wanted[step:step + 5000]).values_list(
                    "pk", "building_id", "unit", "room"):
                known = self._buildings[building_id]
                assert known.dwellings is not None
                known.dwellings[unit, room] = pk
                known.rooms.setdefault(room, []).append(pk)

    def load_every_dwelling(self) -> None:
        self.load_dwellings(list(self._buildings))

    def key_of(self, text: str) -> str:
        """What an alias saved from ``text`` holds: the address without divisions, unit and
        room (惠民家园1栋)."""
        stripped, _narrowing = self._stripped(text)
        parsed = parse_normalised(stripped)
        return f"{parsed.place}{parsed.building}栋" if parsed.building else stripped

    def learn(self, text: str, building_id: int) -> None:
        """Remember an alias saved while this base is in use."""
        self._add(self._aliases, building_key(self.key_of(text)), building_id)


def _short_forms(name: str, level: str) -> list[str]:
    """湖北省 → 湖北, 武汉市 → 武汉: province and city are often written without their
    suffix. (A street or community is not: 幸福里 may be a compound's name.)"""
    if level in ("province", "city") and len(name) > 2:
        return [normalised_address(name[:-1])]
    return []

