"""The events' tally (``EventTally``): per grid and day of report, how many events came in and
what became of them, in all, per top category and per channel.

It is derived data kept beside the events so that the cockpit reads a few thousand rows
instead of grouping a million events. A grid's day is always *recounted* from its events,
never incremented, so the tally cannot drift from them: every service that changes an event
calls ``tally_refresh`` in its own transaction; bulk loads (the demo, the benchmark) and
``wangge events-tally --rebuild`` call ``tally_rebuild``; ``tally_differences`` compares the
stored rows with a recount (``wangge events-tally --check``).
"""

import datetime
import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.db import connection, transaction
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from wangge.foundation.codes import prefix_range

from .models import Category, Event, EventTally, State, TallyFacet

MEASURES = ("reported", "closed", "closed_on_time", "set_aside")
# (facet, grid code, day, value) → the four measures.
Key = tuple[str, str, datetime.date, str]


def local_day(moment: datetime.datetime) -> datetime.date:
    """The day of ``moment`` in the site's time zone (TIME_ZONE): the day a tally counts in."""
    return timezone.localtime(moment).date()


def day_start(day: datetime.date) -> datetime.datetime:
    """The first instant of ``day`` in the site's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def top_categories() -> dict[int, int]:
    """Each category's id → the id of the top of its tree (itself for a top category)."""
    parents = dict(Category.objects.values_list("pk", "parent_id"))
    tops = {}
    for pk in parents:
        top, seen = pk, set()
        while parents.get(top) is not None and top not in seen:
            seen.add(top)
            top = parents[top]
        tops[pk] = top
    return tops


def _measured(events: QuerySet[Event], *group: str, **expressions: object) -> QuerySet:
    """``events`` grouped by ``group`` with the four measures (``MEASURES``)."""
    closed = Q(state=State.CLOSED)
    return (events.order_by().annotate(**expressions).values(*group).annotate(
        reported=Count("pk"),
        closed=Count("pk", filter=closed),
        closed_on_time=Count("pk", filter=closed & Q(closed_at__lte=F("deadline"))),
        set_aside=Count("pk", filter=Q(state__in=[State.DECLINED, State.MERGED]))))


def _facets(rows: Iterable[dict], tops: dict[int, int] | None = None) -> dict[Key, list[int]]:
    """Rows grouped by grid, day, category and channel, folded into the tally's rows: a grid's
    day in all, per top category, per channel."""
    folded: dict[Key, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for row in rows:
        category = row["top"] if tops is None else tops[row["category_id"]]
        counts = [row[name] for name in MEASURES]
        for key in ((TallyFacet.ALL, row["grid_code"], row["day"], ""),
                    (TallyFacet.CATEGORY, row["grid_code"], row["day"], str(category)),
                    (TallyFacet.CHANNEL, row["grid_code"], row["day"], row["channel"])):
            total = folded[key]
            for index, count in enumerate(counts):
                total[index] += count
    return folded


def _lock(grid_code: str, day: datetime.date) -> None:
    """Serialise the recounts of one grid's day on PostgreSQL until the transaction ends, so
    that of two transactions changing events of the same day the later one counts both
    (under READ COMMITTED its recount begins after the other committed). SQLite has one
    writer at a time already."""
    if connection.vendor == "postgresql":
        key = zlib.crc32(f"tally {grid_code} {day.isoformat()}".encode())
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def tally_refresh(events: Iterable[Event]) -> None:
    """Recount the tally of each grid's day that ``events`` were reported on, from the
    events themselves. Called by the event services inside their transaction, after the
    events are saved."""
    slices = sorted({(event.grid_code, local_day(event.reported_at)) for event in events})
    if not slices:
        return
    tops = top_categories()
    with transaction.atomic():
        for grid_code, day in slices:  # in order: two writers never wait on each other's
            _lock(grid_code, day)
            counted = _measured(Event.objects.filter(
                grid_code=grid_code, reported_at__gte=day_start(day),
                reported_at__lt=day_start(day + datetime.timedelta(days=1))),
                "category_id", "channel")
            rows = [{**row, "grid_code": grid_code, "day": day} for row in counted]
            EventTally.objects.filter(grid_code=grid_code, day=day).delete()
            EventTally.objects.bulk_create(_rows(_facets(rows, tops)))


def _rows(folded: dict[Key, list[int]]) -> Iterator[EventTally]:
    for (facet, grid_code, day, value), counts in folded.items():
        yield EventTally(facet=facet, grid_code=grid_code, day=day, value=value,
                         **dict(zip(MEASURES, counts, strict=True)))


def _recount(prefix: str) -> dict[Key, list[int]]:
    """The tally of every event under ``prefix``, counted afresh (the top category is
    worked out in the query, so that it groups a few hundred thousand rows, not millions)."""
    tops: dict[int, list[int]] = defaultdict(list)
    for category, top in top_categories().items():
        tops[top].append(category)
    top_of = Case(*(When(category_id__in=members, then=Value(top))
                    for top, members in tops.items()), output_field=IntegerField())
    events = Event.objects.filter(prefix_range("grid_code", prefix))
    return _facets(_measured(events, "grid_code", "day", "top", "channel",
                             day=TruncDate("reported_at"), top=top_of)
                   .iterator(chunk_size=20_000))


def tally_rebuild(prefix: str = "") -> int:
    """Replace the tally of every grid under ``prefix`` (everything by default) with a
    recount of its events; returns the rows written."""
    folded = _recount(prefix)
    with transaction.atomic():
        EventTally.objects.filter(prefix_range("grid_code", prefix)).delete()
        EventTally.objects.bulk_create(_rows(folded), batch_size=5_000)
    return len(folded)


def tally_differences(prefix: str = "") -> list[str]:
    """Where the stored tally under ``prefix`` differs from a recount of the events (empty
    when it agrees): one line per differing row."""
    stored = {(row.facet, row.grid_code, row.day, row.value):
              [getattr(row, name) for name in MEASURES]
              for row in EventTally.objects.filter(prefix_range("grid_code", prefix))}
    counted = _recount(prefix)
    return [f"{' '.join(map(str, key))}: stored {stored.get(key)}, counted {counted.get(key)}"
            for key in sorted(stored.keys() | counted.keys())
            if stored.get(key) != counted.get(key)]
