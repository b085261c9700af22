"""Chinese phone numbers: mobiles and fixed lines with an area code."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .text import fold_width

_SEPARATORS = re.compile(r"[-()（）.]")
_COUNTRY_CODE = re.compile(r"^(\+?86|0086)(?=1\d{10}$)")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# Area code 010/02x (3 digits) or 0xxx (4 digits), then 7 or 8 digits.
_FIXED = re.compile(r"^0(10|2\d|[3-9]\d{2})\d{7,8}$")


def normalise_phone(value: str) -> str:
    """Strip +86, separators and spaces; accept an 11-digit mobile or a fixed line."""
    number = _COUNTRY_CODE.sub("", _SEPARATORS.sub("", fold_width(str(value))))
    if _MOBILE.fullmatch(number) or _FIXED.fullmatch(number):
        return number
    raise ValidationError(
        _("%(value)s is not a phone number: use an 11-digit mobile starting with 1, or a fixed "
          "line with its area code, such as 027-85551234."),
        code="phone", params={"value": value},
    )
