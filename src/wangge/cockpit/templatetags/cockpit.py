"""Filters of the cockpit page."""

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def percent(share: float | None) -> str:
    """A share (0 to 1) as a percentage with one decimal, or a dash when there is none (no
    event to count it over)."""
    if share is None:
        return "—"
    return f"{number_format(share * 100, decimal_pos=1)}%"
