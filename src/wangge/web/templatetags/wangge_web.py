"""Template filters for showing stored values as people read them."""

from typing import Any

from django import template
from django.utils.translation import gettext as _

from wangge.people.models import Household, Person, VulnerableTag
from wangge.people.selectors import household_name as name_of_household

register = template.Library()


@register.filter
def person_value(value: Any, field: str) -> str:
    """A person's field value as shown on a page: choice labels instead of codes (for each
    item of a list), a dash when empty; masked values pass through unchanged."""
    if value in (None, "", []):
        return "—"
    # Tags are a JSON list, so the model field itself carries no choices.
    choices = (VulnerableTag.choices if field == "vulnerable_tags"
               else Person._meta.get_field(field).choices)
    labels = dict(choices or [])
    items = value if isinstance(value, list) else [value]
    return _(", ").join(str(labels.get(item, item)) for item in items)


@register.filter
def household_name(household: Household | None) -> str:
    """``{{ person.household|household_name }}``: the household by its head (张伟户), never a
    bare record number where a head is known (``people.selectors.household_name``)."""
    return name_of_household(household) if household is not None else "—"
