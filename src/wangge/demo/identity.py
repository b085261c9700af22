"""Valid identifiers for the demo's people and organizations: ethnicities, documents other
than resident IDs, and unified social credit codes. Names, resident IDs and mobile numbers come
from ``wangge.synthetic`` (shared with linkage's generated lists) and are re-exported here for
the demo's modules.
"""

import itertools
import random

from stdnum.cn import uscc

from wangge.synthetic import ResidentIdIssuer, county_elsewhere, given_name, mobile, surname

__all__ = ["ETHNICITIES", "DocumentIssuer", "ResidentIdIssuer", "county_elsewhere",
           "credit_code", "ethnicity", "given_name", "mobile", "surname"]

ETHNICITIES = ["汉族", "土家族", "回族", "满族", "苗族", "蒙古族", "壮族", "彝族"]
_ETHNICITY_WEIGHTS = list(itertools.accumulate([960, 12, 8, 6, 5, 3, 3, 3]))
_ORGANIZATION_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def ethnicity(rng: random.Random) -> str:
    return rng.choices(ETHNICITIES, cum_weights=_ETHNICITY_WEIGHTS)[0]


class DocumentIssuer:
    """Numbers for people without a resident ID, in the shapes the normalisers accept."""

    def __init__(self) -> None:
        self._serial = itertools.count(1)

    def issue(self, rng: random.Random, document_type: str) -> str:
        # Scrambling a serial keeps numbers unique (7919 is coprime with 10**8) while they look
        # issued rather than counted.
        number = f"{(next(self._serial) * 7919 + 1_234_567) % 10**8:08d}"
        if document_type == "hk_macau_permit":
            return rng.choice("HM") + number
        if document_type == "taiwan_permit":
            return number
        if document_type == "foreign_permanent":
            return rng.choice(["USA", "GBR", "DEU", "JPN", "KOR", "FRA"]) + number + "0001"
        return "E" + number


def _organization_code_check(code: str) -> str:
    """GB 11714 check character for an 8-character organization code."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(_ORGANIZATION_CODE_ALPHABET.index(c) * w for c, w in zip(code, weights,
                                                                         strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def credit_code(serial: int, area_code: str, registrant: str = "91") -> str:
    """A GB 32100 unified social credit code; ``registrant`` is the authority and entity type
    (91 an enterprise and 92 an individual business registered by market regulation, 52 a
    private non-enterprise unit registered by civil affairs); ``serial`` makes it unique."""
    organization = f"{(serial * 7919 + 1_000_003) % 10**8:08d}"
    body = f"{registrant}{area_code}{organization}{_organization_code_check(organization)}"
    return body + uscc.calc_check_digit(body + "0")
