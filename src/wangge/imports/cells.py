"""Cells made into field values, the same way for every kind of import: choices written in
the words departments use, whole numbers, coordinates, lists and bounded text."""

import re
import unicodedata
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _

from wangge.spreadsheets import cell_text

LIST_SEPARATORS = re.compile(r"[,，、;；/|\s]+")


def choice_words(choices: type[models.TextChoices], words: dict[str, str]) -> dict[str, str]:
    """Every way of writing one of ``choices`` (its code, its label in each of our languages,
    so that a template filled in one language imports in any; the words departments use),
    folded to lower case, to its code."""
    labels: dict[str, str] = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            labels |= {str(label).lower(): value for value, label in choices.choices}
    return {**{word.lower(): value for word, value in words.items()}, **labels,
            **{value.lower(): value for value in choices.values}}


def choice(words: dict[str, str], choices: type[models.TextChoices], text: str) -> str:
    """The code of a choice written in any of ``words``' ways."""
    try:
        return words[text.strip().lower()]
    except KeyError:
        raise ValidationError(
            _("%(value)s is not one of: %(choices)s.") % {
                "value": text, "choices": "、".join(str(label) for label in choices.labels)}
        ) from None


def bounded(text: str, model: type[models.Model], name: str) -> str:
    """``text`` if it fits the model field ``name``."""
    limit = model._meta.get_field(name).max_length
    if limit and len(text) > limit:
        raise ValidationError(_("At most %(limit)d characters.") % {"limit": limit})
    return text


def tidy(text: str) -> str:
    """Full-width letters, digits and marks folded, runs of spaces made one: the form in which
    addresses and names are stored and compared."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def whole_number(value: Any, *, least: int | None = None) -> int:
    text = tidy(cell_text(value))
    try:
        number = int(float(text)) if isinstance(value, float) else int(text)
    except ValueError:
        raise ValidationError(_("%(value)s is not a whole number.") % {"value": text}) from None
    if isinstance(value, float) and not value.is_integer():
        raise ValidationError(_("%(value)s is not a whole number.") % {"value": text})
    if least is not None and number < least:
        raise ValidationError(_("At least %(least)d.") % {"least": least})
    return number


def decimal_degrees(value: Any) -> float:
    text = tidy(cell_text(value)).rstrip("°")
    try:
        return float(text)
    except ValueError:
        raise ValidationError(_("%(value)s is not a coordinate in decimal degrees (such as "
                                "114.305).") % {"value": text}) from None


def code_list(text: str) -> list[str]:
    """Codes separated by commas, 、, semicolons or spaces, in order, once each."""
    return list(dict.fromkeys(tidy(word) for word in LIST_SEPARATORS.split(text) if word))
