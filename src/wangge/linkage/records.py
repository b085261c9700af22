"""Rows made into the normalised, column-wise records that linkage compares.

A row's fields (as the import's header synonyms name them) go through the one set of
normalisers (IDs, names, phones, addresses); each comparable value is stored as an integer code
into a table of distinct values, so a million records cost a few arrays, not a million objects.
"""

import datetime
import re
from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError

from wangge.normalisers import normalise_phone, parse_resident_id, resident_id_from_legacy
from wangge.normalisers.addresses import parse_address
from wangge.normalisers.names import fuzzy_pinyin, name_pinyin, normalise_name
from wangge.normalisers.text import fold_width
from wangge.spreadsheets import cell_date, cell_text

# Fields linkage reads; the rest of a row is ignored.
LINKED_FIELDS = ("name", "document_type", "id_number", "sex", "birth_date", "phone", "address",
                 "building", "unit", "floor", "room")
_SEX_WORDS = {"男": "M", "女": "F", "M": "M", "F": "F", "MALE": "M", "FEMALE": "F", "1": "M",
              "2": "F"}
_PHONE_RUN = re.compile(r"\+?\d[\d\-\s()（）]{6,}\d")
_NON_RESIDENT_WORDS = ("护照", "通行证", "台胞", "永久居留", "passport", "permit", "permanent")


@dataclass(frozen=True)
class Record:
    """One row's comparable values, each "" when unknown."""

    name: str = ""
    id_valid: str = ""  # a valid 18-character resident ID (15-digit ones converted)
    id_text: str = ""  # the ID as written, folded, for typo-tolerant comparison
    birth: str = ""  # YYYYMMDD
    sex: str = ""  # M or F
    phones: tuple[str, ...] = ()
    address: str = ""


def _identity(fields: Mapping[str, Any]) -> tuple[str, str, str, str]:
    """(valid ID, ID text, birth date, sex) from the ID cell."""
    text = fold_width(cell_text(fields.get("id_number"))).upper()
    if not text:
        return "", "", "", ""
    document_type = cell_text(fields.get("document_type")).lower()
    if any(word in document_type for word in _NON_RESIDENT_WORDS):
        return "", document_type[:2] + ":" + text, "", ""
    try:
        resident = parse_resident_id(text)
    except ValidationError as error:
        if error.code == "scientific_notation":
            return "", "", "", ""  # Excel turned it into a number: its last digits are lost
        # A mistyped ID still says much: keep it for typo-tolerant comparison, and its birth
        # date when those digits make one.
        if re.fullmatch(r"\d{15}", text):
            text = resident_id_from_legacy(text)
        birth = text[6:14] if len(text) == 18 and _is_date(text[6:14]) else ""
        return "", text, birth, ""
    return resident.number, resident.number, f"{resident.birth_date:%Y%m%d}", resident.sex


def _is_date(digits: str) -> bool:
    try:
        return datetime.date(1880, 1, 1) <= datetime.datetime.strptime(
            digits, "%Y%m%d").date() <= datetime.date.today()
    except ValueError:
        return False


def _phones(value: Any) -> tuple[str, ...]:
    """Every phone number in a cell (departments write two with / or ，between)."""
    found = []
    for candidate in _PHONE_RUN.findall(fold_width(cell_text(value)) if value else ""):
        try:
            found.append(normalise_phone(candidate))
        except ValidationError:
            continue
    return tuple(dict.fromkeys(found))[:2]


def normalise_record(fields: Mapping[str, Any]) -> Record:
    """A row's fields (named as in ``PERSON_HEADERS``) as comparable values. Cells that break
    a rule are kept as far as they still say something, never refused: linkage reads what
    departments have, and a mistyped ID is still evidence."""
    id_valid, id_text, birth, sex = _identity(fields)
    if not birth and fields.get("birth_date"):
        try:
            date = cell_date(fields["birth_date"])
            birth = f"{date:%Y%m%d}" if date else ""
        except (ValidationError, ValueError):
            birth = ""
    if not sex:
        sex = _SEX_WORDS.get(cell_text(fields.get("sex")).upper(), "")
    address = cell_text(fields.get("address"))
    parts = [cell_text(fields.get(part)) for part in ("building", "unit", "floor", "room")]
    if any(parts):
        building, unit, floor, room = parts
        address += "".join([building and building + "栋", unit and unit + "单元",
                            floor and floor + "层", room and room + "室"])
    return Record(name=normalise_name(cell_text(fields.get("name"))), id_valid=id_valid,
                  id_text=id_text, birth=birth, sex=sex, phones=_phones(fields.get("phone")),
                  address=address)


class _Codes:
    """Distinct values of one column and, per record, the code of its value (-1 for none).
    Columns that ``share`` one table of values (phone1, phone2) compare by code."""

    def __init__(self, share: "_Codes | None" = None) -> None:
        self.values: list[str] = share.values if share else []
        self._index: dict[str, int] = share._index if share else {}
        self.codes = array("i")

    def add(self, value: str) -> None:
        if not value:
            self.codes.append(-1)
            return
        code = self._index.get(value)
        if code is None:
            code = self._index[value] = len(self.values)
            self.values.append(value)
        self.codes.append(code)


# The columns of a record table, each a code per record into its own distinct values.
COLUMNS = ("name", "pinyin", "fuzzy", "surname", "id_valid", "id_text", "id_head", "id_tail",
           "birth", "sex", "phone1", "phone2", "flat", "place", "unit", "home")


@dataclass
class RecordTable:
    """Records column by column. ``codes[column]`` is an int32 array, ``values[column]`` the
    distinct values it indexes; ``sources``/``rows`` say where each record came from."""

    codes: dict[str, np.ndarray]
    values: dict[str, list[str]]
    sources: list[str] = field(default_factory=list)
    source_index: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    rows: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    # Arrays derived from the columns (term frequencies, birth date parts), computed once.
    cache: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.rows)

    def value(self, column: str, record: int) -> str:
        code = self.codes[column][record]
        return self.values[column][code] if code >= 0 else ""

    def term_frequency(self, column: str) -> np.ndarray:
        """Per record, the share of records with the same value (0 where it has none)."""
        codes = self.codes[column]
        # One bin more than there are values: code -1 reads it (empty) even when no record
        # has a value at all.
        counts = np.bincount(codes[codes >= 0], minlength=len(self.values[column]) + 1)
        return np.where(codes >= 0, counts[codes] / max(len(codes), 1), 0.0)


class RecordTableBuilder:
    """Collects normalised records (and where each came from) into a :class:`RecordTable`."""

    def __init__(self) -> None:
        self._columns = {name: _Codes() for name in COLUMNS}
        self._columns["phone2"] = _Codes(share=self._columns["phone1"])
        self._sources: dict[str, int] = {}
        self._source_index = array("i")
        self._rows = array("i")

    def add(self, record: Record, *, source: str = "", row: int = 0) -> None:
        columns = self._columns
        pinyin = name_pinyin(record.name) if record.name else ""
        fuzzy = fuzzy_pinyin(pinyin)
        columns["name"].add(record.name)
        columns["pinyin"].add(pinyin)
        columns["fuzzy"].add(fuzzy)
        columns["surname"].add(fuzzy.split(" ", 1)[0])
        columns["id_valid"].add(record.id_valid)
        columns["id_text"].add(record.id_text)
        columns["id_head"].add(record.id_text[:14] if len(record.id_text) >= 14 else "")
        columns["id_tail"].add(record.id_text[-4:] if len(record.id_text) == 18 else "")
        columns["birth"].add(record.birth)
        columns["sex"].add(record.sex)
        phones = (*record.phones, "", "")
        columns["phone1"].add(phones[0])
        columns["phone2"].add(phones[1])
        address = parse_address(record.address) if record.address else None
        if address and address.room:
            columns["flat"].add(f"{address.building}-{address.room}")
            columns["place"].add(address.place)
            columns["unit"].add(address.unit)
            columns["home"].add(f"{address.place[-4:]}|{address.dwelling}")
        else:
            for name in ("flat", "place", "unit"):
                columns[name].add("")
            columns["home"].add(address.text if address else "")
        self._source_index.append(self._sources.setdefault(source, len(self._sources)))
        self._rows.append(row)

    def build(self) -> RecordTable:
        codes = {name: np.frombuffer(column.codes, dtype=np.int32).copy()
                 for name, column in self._columns.items()}
        values = {name: column.values for name, column in self._columns.items()}
        return RecordTable(codes=codes, values=values, sources=list(self._sources),
                           source_index=np.frombuffer(self._source_index, dtype=np.int32).copy(),
                           rows=np.frombuffer(self._rows, dtype=np.int32).copy())


def record_table(records: Iterable[Record]) -> RecordTable:
    """A table of records without sources (tests, and records from the database)."""
    builder = RecordTableBuilder()
    for number, record in enumerate(records, start=1):
        builder.add(record, row=number)
    return builder.build()
