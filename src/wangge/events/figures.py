"""The cockpit's figures of events: for a jurisdiction and a period, how many events were
reported and what became of them, over time, per top category, per channel and per area.

Every figure is about the events *reported in the period* (as the event list's ``from`` and
``to`` are), so that each number is the length of a list one can open:

- reported; closed (of those, closed by now), closed on time (by their deadline); set aside
  (declined or merged); open (the rest);
- overdue: open and past the deadline now; "overdue now" of an area counts every such event,
  whenever it was reported (the backlog the overdue list shows);
- closure rate: closed / (reported − set aside), on-time rate: closed on time / closed.

Where they come from: the tally (``EventTally``, per grid and day, kept by the services)
gives every count but the overdue ones, which depend on the clock: overdue = open − the open
events whose deadline is still ahead, a small set read from the partial index
``event_open_due``. So a district's month is a few thousand tally rows and a few thousand
index entries, however many events the years have piled up.

Each function starts from the caller's jurisdiction (``events_visible_to``, the tally scoped
the same way), so no figure counts what its caller may not see.

Satisfaction (满意度) counts the ratings *given in the period* (``EventRating.at``), each
where its event is (``grid_code``) and for the organization that handled what was rated
(kept on the rating: a reopening clears the event's own): ratings, satisfied, basically
satisfied, not satisfied, and the satisfied share (satisfied / ratings). One grouped query
per figure over the ratings' ``(grid_code, at)`` index, never a loop over events.
"""

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, DateField, F, Func, Q, QuerySet, Sum, Value
from django.db.models.functions import Substr, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.access.models import User
from wangge.foundation.codes import narrowed
from wangge.foundation.permissions import Action, can
from wangge.organizations.models import Organization

from .models import (
    Category,
    Channel,
    EventQuerySet,
    EventRating,
    EventTally,
    Satisfaction,
    TallyFacet,
)
from .selectors import events_visible_to
from .tally import MEASURES, day_start, top_categories

# The default period: the last 30 days, today included. At most a year (and a day), and from
# this many days on the series counts by week instead of by day.
DEFAULT_DAYS = 30
MAX_DAYS = 366
WEEKLY_FROM_DAYS = 63
EARLIEST = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
LATEST = datetime.datetime(9000, 1, 1, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class Period:
    """From ``start`` to ``end``, both days included (site's time zone)."""

    start: datetime.date
    end: datetime.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def bucket(self) -> str:
        """How the series counts: ``day`` or, for a long period, ``week``."""
        return "week" if self.days >= WEEKLY_FROM_DAYS else "day"

    def buckets(self) -> list[tuple[datetime.date, datetime.date]]:
        """The series' steps as (first day, last day): each day, or each week (Monday to
        Sunday, the first and last cut to the period)."""
        if self.bucket == "day":
            return [(day, day) for day in self._days()]
        steps, first = [], self.start
        while first <= self.end:
            last = min(first + datetime.timedelta(days=6 - first.weekday()), self.end)
            steps.append((first, last))
            first = last + datetime.timedelta(days=1)
        return steps

    def _days(self) -> list[datetime.date]:
        return [self.start + datetime.timedelta(days=n) for n in range(self.days)]


def period_of(start: datetime.date | None = None, end: datetime.date | None = None, *,
              today: datetime.date | None = None) -> Period:
    """The period asked for: by default the last ``DEFAULT_DAYS`` days; an end after today
    is today (nothing is reported in the future). Refused with errors under ``from`` and
    ``to``: a start before 1970 (no event is older; a year 1 would overflow the conversion
    to UTC), a start after the end, or more than ``MAX_DAYS`` days."""
    today = today or timezone.localdate()
    end = min(end or today, today)
    start = start or end - datetime.timedelta(days=DEFAULT_DAYS - 1)
    if start < EARLIEST.date():
        raise ValidationError({"from": [_("Choose a day from %(first)s on.")
                                        % {"first": EARLIEST.date().isoformat()}]})
    if start > end:
        raise ValidationError({"from": [_("The period must start on or before its end "
                                          "(%(end)s).") % {"end": end.isoformat()}]})
    if (end - start).days + 1 > MAX_DAYS:
        raise ValidationError({"to": [_("Choose a period of at most %(days)s days.")
                                      % {"days": MAX_DAYS}]})
    return Period(start, end)


@dataclass
class Figures:
    """What became of a set of events reported in a period (see the module's docstring)."""

    reported: int = 0
    closed: int = 0
    closed_on_time: int = 0
    set_aside: int = 0
    not_due: int = 0  # open, the deadline still ahead
    overdue_now: int | None = None  # an area's every overdue event, whenever reported

    @property
    def open(self) -> int:
        return self.reported - self.closed - self.set_aside

    @property
    def overdue(self) -> int:
        return self.open - self.not_due

    @property
    def closure_rate(self) -> float | None:
        handled = self.reported - self.set_aside
        return self.closed / handled if handled else None

    @property
    def on_time_rate(self) -> float | None:
        return self.closed_on_time / self.closed if self.closed else None

    def add(self, other: "Figures") -> None:
        for name in (*MEASURES, "not_due"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        if other.overdue_now is not None:
            self.overdue_now = (self.overdue_now or 0) + other.overdue_now


def _tally(user: User, prefixes: list[str], period: Period | None, facet: str,
           key: Any) -> dict[Any, Figures]:
    """The tally's measures of ``facet`` per ``key`` (an expression over its columns; None
    for one total), over ``period`` (None: every day up to today)."""
    if not can(user, Action.VIEW_EVENTS):
        return {}
    rows = EventTally.objects.in_scope(user.scope_prefixes).in_scope(prefixes).filter(
        facet=facet)
    rows = (rows.filter(day__range=(period.start, period.end)) if period
            else rows.filter(day__lte=timezone.localdate()))
    sums = {name: Sum(name) for name in MEASURES}
    if key is None:
        total = rows.aggregate(**sums)
        return {None: Figures(**{name: total[name] or 0 for name in MEASURES})}
    return {row["key"]: Figures(**{name: row[name] for name in MEASURES})
            for row in rows.order_by().values(key=key).annotate(**sums)}


def _not_due(user: User, prefixes: list[str], period: Period | None, key: Any,
             now: datetime.datetime) -> dict[Any, int]:
    """How many open events have their deadline still ahead, of those reported in
    ``period`` (None: ever), per ``key`` (an expression over the event; None for one
    total)."""
    # Both bounds of both times, though one of each would do: so that SQLite (without
    # ANALYZE's statistics) reads the index that holds just these events, deadline first
    # (``event_open_due``), rather than every open event of the area.
    start, end = ((day_start(period.start), period.end) if period
                  else (EARLIEST, timezone.localdate(now)))
    events = narrowed(cast(EventQuerySet, events_visible_to(user)).open(), prefixes).filter(
        deadline__range=(now, LATEST), reported_at__gte=start,
        reported_at__lt=day_start(end + datetime.timedelta(days=1)))
    if key is None:
        return {None: events.aggregate(n=Count("grid_code"))["n"]}
    return {row["key"]: row["n"] for row in
            events.order_by().values(key=key).annotate(n=Count("grid_code"))}


def _figures(user: User, prefixes: list[str], period: Period | None, facet: str,
             tally_key: Any, event_key: Any, now: datetime.datetime,
             keyed: Callable[[Any], Any] = lambda key: key) -> dict[Any, Figures]:
    """The tally's figures per ``tally_key`` with the open events not yet due per
    ``event_key``, which ``keyed`` turns into the tally's key."""
    figures = _tally(user, prefixes, period, facet, tally_key)
    for key, count in _not_due(user, prefixes, period, event_key, now).items():
        figures.setdefault(keyed(key), Figures()).not_due += count
    return figures


def local_date(column: str, period: Period) -> Func:
    """The day (site's time zone) of the time in ``column``. On SQLite, Django's TruncDate
    calls Python for each row; where the zone keeps one UTC offset over the period (China
    does, all year) SQLite's own ``date(column, '+480 minutes')`` gives the same day."""
    if connection.vendor != "sqlite":
        return TruncDate(column)
    offsets = {day_start(period.start + datetime.timedelta(days=n)).utcoffset()
               for n in range(period.days + 1)}
    if len(offsets) != 1 or (offset := offsets.pop()) is None:
        return TruncDate(column)
    minutes = int(offset.total_seconds()) // 60
    return Func(F(column), Value(f"{minutes:+d} minutes"), function="date",
                output_field=DateField())


def event_totals(user: User, prefixes: list[str], period: Period) -> Figures:
    """The events reported in ``period`` under ``prefixes``; ``overdue_now``: every overdue
    one there, whenever reported."""
    now = timezone.now()
    totals = _figures(user, prefixes, period, TallyFacet.ALL, None, None, now)[None]
    totals.overdue_now = _figures(user, prefixes, None, TallyFacet.ALL, None, None,
                                  now)[None].overdue
    return totals


def events_over_time(user: User, prefixes: list[str], period: Period
                     ) -> list[tuple[datetime.date, datetime.date, Figures]]:
    """The figures of each step of the period (``Period.buckets``), by day of report."""
    days = _figures(user, prefixes, period, TallyFacet.ALL, F("day"),
                    local_date("reported_at", period), timezone.now())
    steps = []
    for first, last in period.buckets():
        figures = Figures()
        for offset in range((last - first).days + 1):
            if (day := first + datetime.timedelta(days=offset)) in days:
                figures.add(days[day])
        steps.append((first, last, figures))
    return steps


def events_by_category(user: User, prefixes: list[str], period: Period
                       ) -> list[tuple[Category, Figures]]:
    """Per top category of the tree (those in use, and any retired one with events in the
    period), in the tree's order."""
    tops = top_categories()
    counted = _figures(user, prefixes, period, TallyFacet.CATEGORY, F("value"),
                       F("category_id"), timezone.now(),
                       keyed=lambda category: str(tops.get(category, category)))
    categories = Category.objects.filter(parent__isnull=True).order_by("position", "code")
    return [(top, counted.get(str(top.pk), Figures())) for top in categories
            if top.active or str(top.pk) in counted]


def events_by_channel(user: User, prefixes: list[str], period: Period
                      ) -> list[tuple[Channel, Figures]]:
    """Per channel the events came in by."""
    counted = _figures(user, prefixes, period, TallyFacet.CHANNEL, F("value"),
                       F("channel"), timezone.now())
    return [(channel, counted.get(channel.value, Figures())) for channel in Channel]


def events_by_area(user: User, prefixes: list[str], period: Period, digits: int
                   ) -> dict[str, Figures]:
    """Per area under ``prefixes``, an area being the first ``digits`` characters of a grid
    code (9: streets, 12: communities, 15: grids), with its ``overdue_now``."""
    now = timezone.now()
    # Grouped by the area, not the grid: an index in grid order would tempt SQLite away
    # from the small one of the events not yet due.
    area = Substr("grid_code", 1, digits)
    areas = _figures(user, prefixes, period, TallyFacet.ALL, area, area, now)
    for code, figures in _figures(user, prefixes, None, TallyFacet.ALL, area, area,
                                  now).items():
        areas.setdefault(code, Figures()).overdue_now = figures.overdue
    return areas


@dataclass
class Satisfied:
    """The satisfaction ratings of a set of events (see the module's docstring)."""

    ratings: int = 0
    satisfied: int = 0
    basically: int = 0
    unsatisfied: int = 0

    @property
    def satisfied_share(self) -> float | None:
        return self.satisfied / self.ratings if self.ratings else None


def ratings_visible_to(user: User) -> QuerySet[EventRating]:
    """The ratings of events in ``user``'s jurisdiction (none for a role that does not see
    events)."""
    if not can(user, Action.VIEW_EVENTS):
        return EventRating.objects.none()
    return EventRating.objects.in_scope(user.scope_prefixes)


_SATISFACTION_COUNTS = {
    "ratings": Count("pk"),
    **{name: Count("pk", filter=Q(satisfaction=value)) for name, value in (
        ("satisfied", Satisfaction.SATISFIED), ("basically", Satisfaction.BASICALLY),
        ("unsatisfied", Satisfaction.UNSATISFIED))},
}


def _rated(user: User, prefixes: list[str], period: Period) -> QuerySet[EventRating]:
    return narrowed(ratings_visible_to(user), prefixes).filter(
        at__gte=day_start(period.start),
        at__lt=day_start(period.end + datetime.timedelta(days=1)))


def _satisfied(row: Mapping[str, Any]) -> Satisfied:
    return Satisfied(**{name: row[name] or 0 for name in _SATISFACTION_COUNTS})


def satisfaction_totals(user: User, prefixes: list[str], period: Period) -> Satisfied:
    """The ratings given in ``period`` to events under ``prefixes``."""
    return _satisfied(_rated(user, prefixes, period).aggregate(**_SATISFACTION_COUNTS))


def satisfaction_by_area(user: User, prefixes: list[str], period: Period, digits: int
                         ) -> dict[str, Satisfied]:
    """Per area under ``prefixes`` (the first ``digits`` characters of a grid code: 9
    streets, 12 communities, 15 grids), the ratings given in ``period``."""
    rows = (_rated(user, prefixes, period).order_by()
            .values(area=Substr("grid_code", 1, digits)).annotate(**_SATISFACTION_COUNTS))
    return {row["area"]: _satisfied(row) for row in rows}


def satisfaction_by_organization(user: User, prefixes: list[str], period: Period,
                                 organizations: QuerySet[Organization] | None = None,
                                 ) -> list[tuple[Organization | None, Satisfied]]:
    """Per organization that handled what was rated (None: closed without a dispatch), the
    ratings given in ``period`` to events under ``prefixes``, the most rated first;
    ``organizations`` keeps those alone (a department's own)."""
    rated = _rated(user, prefixes, period)
    if organizations is not None:
        rated = rated.filter(organization__in=organizations)
    rows = list(rated.order_by().values("organization_id").annotate(**_SATISFACTION_COUNTS))
    named = Organization.objects.in_bulk([row["organization_id"] for row in rows
                                          if row["organization_id"] is not None])
    found = [(named.get(row["organization_id"]), _satisfied(row)) for row in rows]
    return sorted(found, key=lambda entry: (-entry[1].ratings,
                                            entry[0] is None, str(entry[0] or "")))


def satisfaction_of_own_organizations(user: User, period: Period
                                      ) -> list[tuple[Organization | None, Satisfied]]:
    """A department's own figure: per organization ``user`` answers for (a responder of),
    the ratings given in ``period`` to what it handled in ``user``'s jurisdiction; each of
    them listed, rated or not."""
    own = list(Organization.objects.filter(responders__user=user).order_by("name", "pk"))
    if not own:  # most staff answer for no organization: no figure, no query
        return []
    counted = dict(satisfaction_by_organization(
        user, [""], period, organizations=Organization.objects.filter(
            pk__in=[organization.pk for organization in own])))
    return [(organization, counted.get(organization, Satisfied())) for organization in own]
