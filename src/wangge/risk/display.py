"""How a grade and its reasons read on the risk map, the dashboard and the building page: the
one place that turns a stored reason into words, so the rule engine's own wording can take its
place without touching the pages (``reason_text``).

A reason is stored as the rule engine writes it (``{"if": ..., "params": {...}, "facts":
{...}}``) and worded by ``rules.reason_text`` in the reader's language; the map words it
without the names of the subjects it lists (counts only).
"""

from collections.abc import Iterable
from typing import Any

from . import rules
from .models import Level

# The colours of the grades on the map and in the charts (the legend says which is which).
LEVEL_COLOURS = {Level.LOW: "#9aa0a6", Level.MEDIUM: "#e08a00", Level.HIGH: "#b3261e"}


def level_label(level: int) -> str:
    return str(Level(level).label)


def reason_text(reason: Any) -> str:
    """One reason of a grade in words (the rule engine's wording; a plain string as it is)."""
    if isinstance(reason, dict):
        return rules.reason_text(reason)
    return str(reason)


def reasons_text(reasons: Iterable[Any] | None) -> list[str]:
    """Each reason of a grade in words (a stored list; anything else reads as none)."""
    if not isinstance(reasons, list | tuple):
        return []
    return [reason_text(reason) for reason in reasons]
