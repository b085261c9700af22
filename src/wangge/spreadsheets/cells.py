"""Cell values as spreadsheets give them (text, numbers, dates, Excel serials) made into text
and dates, without losing what a careless format did to them."""

import datetime
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from wangge.normalisers.text import fold_width

# Excel counts days from 1899-12-30 (its 1900 leap-year bug included).
EXCEL_EPOCH = datetime.date(1899, 12, 30)
# Integers above this lose digits in a float, which is how Excel stores every number.
EXACT_FLOAT_LIMIT = 2**53
# Cells starting with these run as formulas when a spreadsheet opens them (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@")

_DATE_TEXT = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$|^(\d{4})(\d{2})(\d{2})$")


def cell_text(value: Any) -> str:
    """The text of a cell, trimmed. A whole number stays whole (no ``.0``); a number too big
    for a float keeps Excel's exponent form, so an ID it mangled is seen as mangled."""
    if type(value) is str:  # most cells, and every CSV cell: the fast path first
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < EXACT_FLOAT_LIMIT:
            return str(int(value))
        return repr(value).upper()
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def cell_date(value: Any) -> datetime.date | None:
    """A date from a date cell, an Excel day serial, or text such as 1980-01-02, 1980/1/2,
    1980年1月2日 or 19800102; None for an empty cell."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # up to 9999-12-31
            return EXCEL_EPOCH + datetime.timedelta(days=int(value))
    else:
        text = fold_width(str(value))
        if text.isdigit() and len(text) <= 5:
            return cell_date(int(text))
        if match := _DATE_TEXT.match(text):
            year, month, day = (int(part) for part in match.groups() if part)
            try:
                return datetime.date(year, month, day)
            except ValueError:
                pass
    raise ValidationError(
        _("%(value)s is not a date: write it as 1980-01-31."), code="date", params={"value": value}
    )


def neutralised(text: str) -> str:
    """Text safe to put in a spreadsheet cell: a leading formula character is quoted so the
    cell shows the text instead of running it."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text
