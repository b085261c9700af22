"""Identity documents: the GB 11643 resident ID and the typed others (permits, passports)."""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric

from .text import fold_width


class DocumentType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident identity card")
    HK_MACAU_PERMIT = "hk_macau_permit", _("Travel permit for Hong Kong and Macao residents")
    TAIWAN_PERMIT = "taiwan_permit", _("Mainland travel permit for Taiwan residents")
    PASSPORT = "passport", _("Passport")
    FOREIGN_PERMANENT = "foreign_permanent", _("Foreign permanent resident ID card")


# Shapes of the non-resident documents: enough to catch a typo, not a registry check.
_DOCUMENT_PATTERNS = {
    DocumentType.HK_MACAU_PERMIT: re.compile(r"^[HM]\d{8,10}$"),
    DocumentType.TAIWAN_PERMIT: re.compile(r"^\d{8}$"),
    DocumentType.PASSPORT: re.compile(r"^[A-Z0-9]{5,17}$"),
    DocumentType.FOREIGN_PERMANENT: re.compile(r"^([A-Z]{3}\d{12}|9\d{17})$"),
}


# Compiled once: parse_resident_id runs for every row of a million-row import.
_SCIENTIFIC = re.compile(r"\d(\.\d+)?E\+?\d+")
_LEGACY_ID = re.compile(r"\d{15}")
_RESIDENT_ID = re.compile(r"\d{17}[\dX]")
_EARLIEST_BIRTH = datetime.date(1880, 1, 1)
# Any birth date up to the day this module was loaded is past: only a later one needs today's
# date, which costs more than the rest of the checks of a number.
_PAST = datetime.date.today()


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: datetime.date
    sex: str  # "M" or "F": the 17th digit is odd for men

    @property
    def area_code(self) -> str:
        return self.number[:6]


def resident_id_from_legacy(number: str) -> str:
    """Convert a 15-digit first-generation ID to 18 digits (century 19, new check digit)."""
    body = number[:6] + "19" + number[6:]
    return body + ric.calc_check_digit(body + "0")


def parse_resident_id(value: str) -> ResidentId:
    """Validate a GB 11643 resident ID, converting a 15-digit legacy number."""
    number = fold_width(str(value)).upper()
    if _SCIENTIFIC.fullmatch(number):
        raise ValidationError(
            _("The ID number %(value)s was turned into a number by a spreadsheet and its last "
              "digits are lost; format the column as text and enter the 18 characters again."),
            code="scientific_notation", params={"value": value},
        )
    if _LEGACY_ID.fullmatch(number):
        number = resident_id_from_legacy(number)
    if not _RESIDENT_ID.fullmatch(number):
        raise ValidationError(
            _("A resident ID has 18 characters: 17 digits and a digit or X (or 15 digits for an "
              "old card)."),
            code="id_format",
        )
    check_digit = ric.calc_check_digit(number)
    if number[-1] != check_digit:
        raise ValidationError(
            _("The ID number's check digit is wrong (GB 11643): the last character should be "
              "%(digit)s; check each digit."),
            code="id_checksum", params={"digit": check_digit},
        )
    # What ric.get_birth_date does, without cleaning the number again (a third of the time).
    try:
        birth_date = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as error:
        raise ValidationError(
            _("The ID number holds no valid birth date (digits 7 to 14)."), code="id_birth_date"
        ) from error
    if birth_date < _EARLIEST_BIRTH or (birth_date > _PAST
                                        and birth_date > datetime.date.today()):
        raise ValidationError(
            _("The ID number's birth date %(date)s is not possible."),
            code="id_birth_date", params={"date": birth_date.isoformat()},
        )
    return ResidentId(number=number, birth_date=birth_date, sex="M" if int(number[16]) % 2 else "F")


def normalise_document_number(document_type: str, value: str) -> str:
    """The canonical number for a document of the given type, or a ValidationError."""
    if document_type == DocumentType.RESIDENT_ID:
        return parse_resident_id(value).number
    number = fold_width(str(value)).upper()
    pattern = _DOCUMENT_PATTERNS.get(DocumentType(document_type))
    if pattern and not pattern.fullmatch(number):
        raise ValidationError(
            _("%(number)s is not a valid %(type)s number."),
            code="document_format",
            params={"number": number, "type": DocumentType(document_type).label},
        )
    return number
