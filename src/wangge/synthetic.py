"""Synthetic people for the demo and for linkage's generated department lists: names,
resident IDs and mobile numbers that pass every check a real one does.

Names are drawn from Faker's zh_CN person data (surnames weighted by the frequency ranking it
cites, common given-name characters by sex), but sampled with our own seeded ``random.Random``:
``random.choices`` with precomputed cumulative weights costs about a microsecond a name, where a
Faker call costs tens, which matters at a million residents.
"""

import bisect
import datetime
import functools
import itertools
import random
import re
from importlib import resources

from faker.providers.person.zh_CN import Provider as ChinesePeople
from stdnum.cn import ric

_SURNAMES = list(ChinesePeople.last_names)
_SURNAME_WEIGHTS = list(itertools.accumulate(ChinesePeople.last_names.values()))
_GIVEN = {"M": ChinesePeople.first_names_male, "F": ChinesePeople.first_names_female}

# Mobile number segments in use by China Mobile, Unicom, Telecom and Broadnet.
_MOBILE_PREFIXES = [
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "147", "150", "151",
    "152", "153", "155", "156", "157", "158", "159", "166", "173", "175", "176", "177", "178",
    "180", "181", "182", "183", "184", "185", "186", "187", "188", "189", "191", "198", "199",
]


def surname(rng: random.Random) -> str:
    return rng.choices(_SURNAMES, cum_weights=_SURNAME_WEIGHTS)[0]


def given_name(rng: random.Random, sex: str) -> str:
    """One or two characters: most people born since the 1980s have two."""
    first = rng.choice(_GIVEN[sex])
    if len(first) == 1 and rng.random() < 0.6:
        second = rng.choice(_GIVEN[sex])
        return first + second[-1]
    return first


def mobile(rng: random.Random) -> str:
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


@functools.cache
def current_counties(province: str) -> tuple[list[int], list[str]]:
    """Counties and districts in stdnum's GB/T 2260 table (its ``cn/loc.dat``) that still
    exist, in ``province`` (2 digits, or "" for all), sorted by the year their code was created
    (0 when the table gives none)."""
    text = (resources.files("stdnum") / "cn" / "loc.dat").read_text(encoding="utf-8")
    found, current_province = [], ""
    for line in text.splitlines():
        if match := re.match(r"^(\d\d) ", line):
            current_province = match[1]
            continue
        match = re.match(r'^  (\d{4}) county="([^"]+)"', line)
        if not match or not current_province.startswith(province):
            continue
        county, latest_name = match[1], match[2].split(",")[-1]
        period = re.match(r"^\[(\d*)-(\d*)\]", latest_name)
        # "xx00" is a prefecture and "xx01" its "市辖区" placeholder, never on a card.
        if county[2:] not in ("00", "01") and not (period and period[2]):
            found.append((int(period[1] or 0) if period else 0, current_province + county))
    found.sort()
    return [year for year, _ in found], [code for _, code in found]


def county_elsewhere(rng: random.Random, born: int, province: str = "") -> str:
    """A real county code (in ``province`` if given) that already existed in the year
    ``born``, as a card issued at birth would carry (stdnum's ``ric.validate`` checks that)."""
    years, codes = current_counties(province)
    return codes[rng.randrange(max(1, bisect.bisect_right(years, born)))]


class ResidentIdIssuer:
    """Issues GB 11643 numbers unique across one demo build: the 3-digit order code counts
    people with the same area, birth date and sex (odd for men, even for women)."""

    def __init__(self) -> None:
        self._issued: dict[str, int] = {}

    def issue(self, area_code: str, birth_date: datetime.date, sex: str) -> str:
        key = f"{area_code}{birth_date:%Y%m%d}{sex}"
        count = self._issued.get(key, 0)
        if count >= 500:
            raise OverflowError(f"More than 500 people share area, birth date and sex: {key}")
        self._issued[key] = count + 1
        # 37 is coprime with 500, so the first 500 counts map to distinct, scattered codes.
        order = ((count * 37 + 11) % 500) * 2 + (1 if sex == "M" else 0)
        body = f"{area_code}{birth_date:%Y%m%d}{order:03d}"
        return body + ric.calc_check_digit(body + "0")
