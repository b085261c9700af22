"""Template filters of the event pages."""

from django import template

from wangge.events.models import State

register = template.Library()


@register.filter
def state_label(value: str) -> str:
    """A state's name in the reader's language ("—" for none, as before a report)."""
    return str(State(value).label) if value in State.values else "—"


@register.filter
def person_name(user: object, empty: str = "—") -> str:
    """A user's display name, or ``empty`` when there is none (the system, no assignee)."""
    if user is None:
        return empty
    return user.get_full_name() or user.get_username()
