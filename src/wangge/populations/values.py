"""A circumstance's values, checked against its population's fields: the one set of rules
for pages, the API, imports and the back office. Reads nothing from the database except
through ``find_person`` (how a person field's value names a person), so an import can check
every row with it."""

import datetime
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from wangge.normalisers import normalise_phone, parse_resident_id
from wangge.normalisers.text import fold_width
from wangge.spreadsheets import cell_date, cell_text

from .models import Check, FieldKind, PopulationField

MAX_TEXT = 200
MAX_NUMBER = 10**9
YES = frozenset({"yes", "y", "true", "1", "是", "有", "√", "✓"})
NO = frozenset({"no", "n", "false", "0", "否", "无", "没有", "×"})

# A person field's value as given → the id of the person it names, or a ValidationError
# saying why none.
PersonFinder = Callable[[Any], int]


def _text(value: Any) -> str:
    text = cell_text(value)
    if len(text) > MAX_TEXT:
        raise ValidationError(_("At most %(most)d characters.") % {"most": MAX_TEXT})
    return text


def _number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise ValidationError(_("Give a number."))
    if not isinstance(value, int | float):
        try:
            value = float(fold_width(str(value)).replace(",", ""))
        except ValueError:
            raise ValidationError(_("Give a number.")) from None
    if not math.isfinite(value) or abs(value) > MAX_NUMBER:
        raise ValidationError(_("Give a number between -%(most)d and %(most)d.")
                              % {"most": MAX_NUMBER})
    return int(value) if float(value).is_integer() else float(value)


def _date(value: Any) -> str:
    day = cell_date(value)
    if day is None:
        return ""
    if not datetime.date(1900, 1, 1) <= day <= datetime.date(2100, 12, 31):
        raise ValidationError(_("Give a date between 1900 and 2100."))
    return day.isoformat()


def _choice(value: Any, field: PopulationField) -> str:
    text = cell_text(value)
    for code, label in field.choice_list():
        if text in (code, label):
            return code
    raise ValidationError(_("Choose one of %(choices)s.")
                          % {"choices": "、".join(label for _c, label in field.choice_list())})


def _yes_no(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = fold_width(cell_text(value)).lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValidationError(_("Answer yes or no."))


def value_checked(field: PopulationField, value: Any, find_person: PersonFinder) -> Any:
    """The stored form of ``value`` for ``field`` (None when empty); ValidationError when it
    does not fit the field's kind."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    kind = field.kind
    if kind == FieldKind.TEXT:
        return _text(value) or None
    if kind == FieldKind.NUMBER:
        return _number(value)
    if kind == FieldKind.DATE:
        return _date(value) or None
    if kind == FieldKind.CHOICE:
        return _choice(value, field)
    if kind == FieldKind.PHONE:
        return normalise_phone(cell_text(value))
    if kind == FieldKind.YES_NO:
        return _yes_no(value)
    if kind == FieldKind.PERSON:
        return find_person(value)
    raise ValueError(f"unknown field kind {kind!r}")


def values_checked(fields: Iterable[PopulationField], given: Mapping[str, Any], *,
                   find_person: PersonFinder, person_id: int | None = None,
                   person_id_number: str = "") -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The values to store (empty ones left out) and the errors by field key. ``person_id``
    is the person the circumstance is about (a person field may not name them);
    ``person_id_number`` their resident ID, which a disability certificate repeats."""
    fields = list(fields)
    known = {field.key: field for field in fields}
    errors: dict[str, list[str]] = {
        key: [_("This population has no field %(key)s.") % {"key": key}]
        for key in given if key not in known}
    values: dict[str, Any] = {}
    for field in fields:
        try:
            value = value_checked(field, given.get(field.key), find_person)
        except ValidationError as error:
            errors[field.key] = error.messages
            continue
        if value is None:
            if field.required:
                errors[field.key] = [_("%(label)s is required.") % {"label": field.label}]
            continue
        if field.kind == FieldKind.PERSON and value == person_id:
            errors[field.key] = [_("Name someone other than the person themselves.")]
            continue
        values[field.key] = value
    for field in fields:
        if field.check_rule and field.key in values:
            try:
                values[field.key] = _rule_applied(field.check_rule, values[field.key], values,
                                                  person_id_number)
            except ValidationError as error:
                errors[field.key] = error.messages
                del values[field.key]
    return values, errors


def _rule_applied(rule: str, value: Any, values: Mapping[str, Any], id_number: str) -> Any:
    if rule == Check.DISABILITY_CERTIFICATE:
        return disability_certificate_suffix(str(value), values, id_number)
    raise ValueError(f"unknown check {rule!r}")


def disability_certificate_suffix(number: str, values: Mapping[str, Any],
                                  id_number: str) -> str:
    """The two digits a disability certificate number (残疾人证号) adds to its holder's
    resident ID: the category (1 视力 … 7 多重) and the grade (1–4), which must agree with the
    ``category`` and ``grade`` fields when given. Only these are stored: the ID is already on
    the person's record (encrypted), and is not copied into another column. The number is
    given whole (20 characters, its ID the holder's) or as the two digits alone."""
    number = fold_width(number).upper().replace(" ", "")
    if len(number) == 20:
        try:
            parse_resident_id(number[:18])
        except ValidationError:
            raise ValidationError(_("The first 18 characters of a certificate number are the "
                                    "holder's ID number, and these are not a valid one.")
                                  ) from None
        if number[:18] != id_number:
            raise ValidationError(_("The certificate starts with another ID number than this "
                                    "person's."))
        number = number[18:]
    elif len(number) != 2:
        raise ValidationError(_("A certificate number has 20 characters: the ID number, the "
                                "category and the grade."))
    if not id_number:
        raise ValidationError(_("Record the person's resident ID first: the certificate "
                                "number starts with it."))
    category, grade = number[0], number[1]
    if category not in "1234567" or grade not in "1234":
        raise ValidationError(_("The last two digits are the category (1 to 7) and the grade "
                                "(1 to 4)."))
    if values.get("category") not in (None, category):
        raise ValidationError(_("The certificate says category %(digit)s, not the category "
                                "chosen.") % {"digit": category})
    if values.get("grade") not in (None, grade):
        raise ValidationError(_("The certificate says grade %(digit)s, not the grade chosen.")
                              % {"digit": grade})
    return number
