"""Template filters of the event pages."""

import datetime

from django import template
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import ngettext

from wangge.access.models import User
from wangge.events.models import Event, State
from wangge.events.selectors import person_name as selected_name

register = template.Library()


@register.filter
def state_label(value: str) -> str:
    """A state's name in the reader's language ("—" for none, as before a report)."""
    return str(State(value).label) if value in State.values else "—"


@register.filter
def percent(share: float | None) -> str:
    """A share (0 to 1) as a percentage with one decimal, or a dash when there is none
    (nothing to count it over): the cockpit's rates and the satisfied share."""
    if share is None:
        return "—"
    return f"{number_format(share * 100, decimal_pos=1)}%"


@register.filter
def person_name(user: User | None, empty: str = "—") -> str:
    """A user's full name (else username), or ``empty`` when there is none (the system, no
    assignee)."""
    return selected_name(user) or empty


def deadline_phrase(deadline: datetime.datetime, now: datetime.datetime) -> str:
    """How far ``deadline`` is from ``now`` in the largest whole unit: "3 days left",
    "5 hours left", "overdue by 2 days" (days from 24 hours on, minutes below one hour)."""
    gap = deadline - now
    late = gap < datetime.timedelta(0)
    seconds = int(abs(gap.total_seconds()))
    if seconds >= 86400:
        count = seconds // 86400
        text = (ngettext("overdue by %(count)s day", "overdue by %(count)s days", count)
                if late else ngettext("%(count)s day left", "%(count)s days left", count))
    elif seconds >= 3600:
        count = seconds // 3600
        text = (ngettext("overdue by %(count)s hour", "overdue by %(count)s hours", count)
                if late else ngettext("%(count)s hour left", "%(count)s hours left", count))
    else:
        count = max(seconds // 60, 1)
        text = (ngettext("overdue by %(count)s minute", "overdue by %(count)s minutes", count)
                if late else ngettext("%(count)s minute left", "%(count)s minutes left",
                                      count))
    return text % {"count": count}


@register.filter
def time_left(event: Event) -> str:
    """The countdown of an open event ("还剩 5 小时", "超期 2 天"); "" once it is finished."""
    return deadline_phrase(event.deadline, timezone.now()) if event.is_open else ""
