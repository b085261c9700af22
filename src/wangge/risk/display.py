"""How a grade and its reasons read on the risk map, the dashboard and the building page: the
one place that turns a stored reason into words, so the rule engine's own wording can take its
place without touching the pages (``reason_text``).

A reason is stored as the rule engine writes it: structured data, ``{"rule" or "if": ...,
"params": {...}, "facts": {...}}`` (a plain string is read as already worded). Until the rule
engine's renderer is here, a reason is worded from its own data: a ``text`` the rule carries,
else its rule and its facts as "name: value" pairs.
"""

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from .models import Level

# The colours of the grades on the map and in the charts (the legend says which is which).
LEVEL_COLOURS = {Level.LOW: "#9aa0a6", Level.MEDIUM: "#e08a00", Level.HIGH: "#b3261e"}


def level_label(level: int) -> str:
    return str(Level(level).label)


def _value(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "、".join(_value(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key}={_value(item)}" for key, item in value.items())
    return str(value)


def reason_text(reason: Any) -> str:
    """One reason of a grade in words."""
    if isinstance(reason, str):
        return reason
    if not isinstance(reason, dict):
        return _value(reason)
    if reason.get("text"):
        return str(reason["text"])
    rule = str(reason.get("rule") or reason.get("if") or reason.get("name") or _("A rule"))
    facts = reason.get("facts") or {}
    if isinstance(facts, dict) and facts:
        return _("%(rule)s (%(facts)s)") % {
            "rule": rule, "facts": "; ".join(f"{key}: {_value(value)}"
                                             for key, value in facts.items())}
    return rule


def reasons_text(reasons: Iterable[Any] | None) -> list[str]:
    """Each reason of a grade in words (a stored list; anything else reads as none)."""
    if not isinstance(reasons, list | tuple):
        return []
    return [reason_text(reason) for reason in reasons]
