"""Comparing two records field by field: each comparison puts a pair at one of a few ordered
levels (strongest agreement first; -1 when a side has no value), vectorised over many pairs.

The Chinese-specific parts live here: names agree exactly, in pinyin (张伟/张玮), in fuzzy
pinyin (刘/牛) or only in spelling; IDs agree exactly or up to one typo (a changed, dropped or
swapped digit); a home is the parsed flat (3栋2单元501 = 3-2-501) in a compatible compound,
compared together with the phone because a family shares both.
"""

from dataclasses import dataclass

import numpy as np
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler
from rapidfuzz.process import cpdist

from .records import RecordTable

# Pinyin strings at least this similar (Jaro-Winkler) count as "similar spelling".
SIMILAR_PINYIN = 0.9


@dataclass(frozen=True)
class Comparison:
    name: str
    levels: tuple[str, ...]
    # Levels whose u is replaced by how common the agreeing value is (term frequency): two
    # records both called 张伟 say less than two called 欧阳子璇.
    frequency_levels: tuple[int, ...] = ()


ID, NAME, BIRTH, SEX, HOME = range(5)
COMPARISONS = (
    Comparison("id", ("exact", "one typo apart", "different"), (0,)),
    Comparison("name", ("exact", "same pinyin", "same fuzzy pinyin", "similar pinyin",
                        "different"), (0, 1, 2)),
    Comparison("birth", ("exact", "one part differs", "different")),
    Comparison("sex", ("same", "different")),
    Comparison("home", ("same address and phone", "same address", "same phone",
                        "same flat number, compound unknown", "different"), (0, 1, 2)),
)


@dataclass
class Compared:
    """The levels of many pairs: ``levels[p, c]`` for pair p and comparison c, ``frequency``
    the term frequency behind an agreeing level (0 where none), ``conflict`` where two
    different valid resident IDs meet."""

    levels: np.ndarray
    frequency: np.ndarray
    conflict: np.ndarray


class _Prepared:
    """Per-table arrays the comparisons need, computed once."""

    def __init__(self, table: RecordTable):
        births = np.array([int(value) for value in table.values["birth"]] + [0], np.int64)
        birth = births[table.codes["birth"]]  # code -1 picks the trailing 0
        self.year, self.month, self.day = birth // 10000, birth // 100 % 100, birth % 100
        self.frequency = {column: table.term_frequency(column).astype(np.float32)
                          for column in ("id_text", "name", "pinyin", "fuzzy", "home")}
        phones = np.concatenate([table.codes["phone1"], table.codes["phone2"]])
        counts = np.bincount(phones[phones >= 0], minlength=len(table.values["phone1"]) + 1)
        first = table.codes["phone1"]
        self.frequency["phone"] = np.where(first >= 0, counts[first] / len(table), 0).astype(
            np.float32)


def prepared(table: RecordTable) -> _Prepared:
    if "compare" not in table.cache:
        table.cache["compare"] = _Prepared(table)
    return table.cache["compare"]


def compare(table: RecordTable, a: np.ndarray, b: np.ndarray) -> Compared:
    """The levels of each pair (a[i], b[i])."""
    ready = prepared(table)
    levels = np.full((len(a), len(COMPARISONS)), -1, dtype=np.int8)
    frequency = np.zeros((len(a), len(COMPARISONS)), dtype=np.float32)
    levels[:, ID], conflict = _compare_ids(table, a, b)
    frequency[:, ID] = np.where(levels[:, ID] == 0, ready.frequency["id_text"][a], 0)
    levels[:, NAME], frequency[:, NAME] = _compare_names(table, ready, a, b)
    levels[:, BIRTH] = _compare_births(ready, a, b)
    sex = table.codes["sex"]
    levels[:, SEX] = np.where((sex[a] < 0) | (sex[b] < 0), -1, (sex[a] != sex[b]).astype(np.int8))
    # Birth date and sex are read off the ID: when the IDs agree they add nothing more.
    same_id = levels[:, ID] == 0
    levels[same_id, BIRTH] = -1
    levels[same_id, SEX] = -1
    levels[:, HOME], frequency[:, HOME] = _compare_homes(table, ready, a, b)
    return Compared(levels=levels, frequency=frequency, conflict=conflict)


def _strings(table: RecordTable, column: str, codes: np.ndarray) -> list[str]:
    values = table.values[column]
    return [values[code] for code in codes]


def _compare_ids(table: RecordTable, a: np.ndarray, b: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    text, valid = table.codes["id_text"], table.codes["id_valid"]
    missing = (text[a] < 0) | (text[b] < 0)
    both_valid = (valid[a] >= 0) & (valid[b] >= 0)
    exact = ~missing & (text[a] == text[b])
    levels = np.where(missing, -1, np.where(exact, 0, 2)).astype(np.int8)
    # Two valid IDs that differ are two people, even one digit apart: a typo that keeps the
    # check digit right is as rare as a person with two IDs, and this one would merge people.
    typo = np.flatnonzero(~missing & ~exact & ~both_valid)
    if len(typo):
        distance = cpdist(_strings(table, "id_text", text[a[typo]]),
                          _strings(table, "id_text", text[b[typo]]),
                          scorer=DamerauLevenshtein.distance, workers=-1)
        levels[typo[distance <= 1]] = 1
    return levels, both_valid & (valid[a] != valid[b])


def _compare_names(table: RecordTable, ready: _Prepared, a: np.ndarray, b: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
    codes = table.codes
    missing = (codes["name"][a] < 0) | (codes["name"][b] < 0)
    levels = np.full(len(a), 4, dtype=np.int8)
    frequency = np.zeros(len(a), dtype=np.float32)
    # From the weakest agreement up, so each pair ends at its strongest level.
    rest = np.flatnonzero(~missing & (codes["fuzzy"][a] != codes["fuzzy"][b]))
    if len(rest):
        similarity = cpdist(_strings(table, "pinyin", codes["pinyin"][a[rest]]),
                            _strings(table, "pinyin", codes["pinyin"][b[rest]]),
                            scorer=JaroWinkler.similarity, workers=-1)
        levels[rest[similarity >= SIMILAR_PINYIN]] = 3
    for level, column in ((2, "fuzzy"), (1, "pinyin"), (0, "name")):
        agree = ~missing & (codes[column][a] == codes[column][b])
        levels[agree] = level
        frequency[agree] = np.maximum(ready.frequency[column][a], ready.frequency[column][b])[
            agree]
    levels[missing] = -1
    return levels, frequency


def _compare_births(ready: _Prepared, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    year, month, day = ready.year, ready.month, ready.day
    missing = (year[a] == 0) | (year[b] == 0)
    parts_equal = ((year[a] == year[b]).astype(np.int8) + (month[a] == month[b])
                   + (day[a] == day[b]))
    swapped = (year[a] == year[b]) & (month[a] == day[b]) & (day[a] == month[b])
    levels = np.where(parts_equal == 3, 0, np.where((parts_equal == 2) | swapped, 1, 2))
    return np.where(missing, -1, levels).astype(np.int8)


def same_place(first: str, second: str) -> bool:
    """Whether two compounds (the text before the flat) can be one: they end alike for at
    least four characters, or the whole of the shorter. Divisions written before the compound
    (江岸区大智街道紫荆小区, 湖北省武汉市紫荆小区) do not matter; 阳光花园 and 桃源花园 differ."""
    shorter = min(len(first), len(second))
    common = 0
    while common < shorter and first[-1 - common] == second[-1 - common]:
        common += 1
    return shorter >= 2 and common >= min(4, shorter)


def _compare_homes(table: RecordTable, ready: _Prepared, a: np.ndarray, b: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
    codes = table.codes
    phone1, phone2 = codes["phone1"], codes["phone2"]
    has_phone_a, has_phone_b = phone1[a] >= 0, phone1[b] >= 0
    same_phone = has_phone_a & has_phone_b & (
        (phone1[a] == phone1[b]) | (phone1[a] == phone2[b])
        | ((phone2[a] >= 0) & ((phone2[a] == phone1[b]) | (phone2[a] == phone2[b]))))
    home = codes["home"]
    has_home = (home[a] >= 0) & (home[b] >= 0)
    flat, unit = codes["flat"], codes["unit"]
    same_flat = (flat[a] >= 0) & (flat[a] == flat[b]) & (
        (unit[a] == unit[b]) | (unit[a] < 0) | (unit[b] < 0))
    same_address = has_home & (home[a] == home[b]) & (flat[a] < 0)
    flat_only = np.zeros(len(a), dtype=bool)
    check = np.flatnonzero(same_flat)
    if len(check):
        places = table.values["place"]
        place_a, place_b = codes["place"][a[check]], codes["place"][b[check]]
        compatible = np.array([pa >= 0 and pb >= 0 and same_place(places[pa], places[pb])
                               for pa, pb in zip(place_a.tolist(), place_b.tolist(),
                                                 strict=True)], dtype=bool)
        unknown = (place_a < 0) | (place_b < 0)
        same_address[check[compatible]] = True
        flat_only[check[unknown & ~compatible]] = True
    levels = np.select(
        [same_address & same_phone, same_address, same_phone, flat_only,
         has_home | (has_phone_a & has_phone_b)],
        [0, 1, 2, 3, 4], default=-1).astype(np.int8)
    home_frequency = np.maximum(ready.frequency["home"][a], ready.frequency["home"][b])
    phone_frequency = np.maximum(ready.frequency["phone"][a], ready.frequency["phone"][b])
    frequency = np.select([levels == 0, levels == 1, levels == 2],
                          [np.minimum(home_frequency, phone_frequency), home_frequency,
                           phone_frequency], default=0).astype(np.float32)
    return levels, frequency
