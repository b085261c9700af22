"""Load N events into the demo district and time the lists and counts people open most: the
overdue list and the dashboard counts, for the district and for one grid.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wg_events_bench wangge bench events

It needs the demo district (``wangge demo --no-serve``); when the database has none, it builds
one with ``--residents`` people first (the demo's own ``demo_build``). The events are
spread over the district's grids, the leaf categories, the priorities and the past
``--days``: recent ones are still open at every stage of the loop, older ones mostly closed;
open ones past their deadline are escalated as ``wangge escalate`` would have. They go in
through the bulk path (``bulk.insert_with_history``: COPY on PostgreSQL), with their history
rows, and are marked so that a later run replaces them; a run that finds exactly
``--events`` of them reuses them (``--reload`` loads afresh). The timings call the same
selectors as the pages and the API (``events_visible_to``, ``EventQuerySet.overdue``,
``event_counts``), as the demo's district administrator and grid worker.

Then it times each chart of the cockpit (``wangge.cockpit.selectors``: totals, series,
categories, channels, areas, patrols, registry, and the whole cockpit) at each level, for
the last ``--cockpit-days``: the district (its administrator), a street (its officer), a
community and one of its grids (its staff). Loading rebuilds the events' tally
(``events.tally.tally_rebuild``, as ``wangge events-tally --rebuild`` does), since the bulk
path bypasses the services that keep it; a run that reuses the events rebuilds it only when
it disagrees with them in the benchmark's grid.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from collections.abc import Callable

import django

MARK = "[bench] "
CHUNK = 50_000
OPEN_STATES = ["reported", "accepted", "dispatched", "handling", "feedback", "verified"]
FINAL_STATES = {"closed": 90, "declined": 6, "merged": 4}
PRIORITIES = {"urgent": 10, "high": 30, "normal": 60}
CHANNELS = {"web": 60, "api": 25, "public": 15}
# An event younger than this is most likely still open; an older one most likely finished.
RECENT = datetime.timedelta(days=14)
OPEN_SHARE = {True: 0.7, False: 0.03}


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wangge.settings")
    django.setup()


def ensure_demo(residents: int) -> None:
    from wangge.demo.build import demo_build
    from wangge.demo.city import DISTRICT
    from wangge.divisions.models import Division

    if Division.objects.filter(code=DISTRICT[0]).exists():
        return
    print(f"  no demo district: building one with {residents} residents", file=sys.stderr)
    started = time.monotonic()
    demo_build(residents=residents, progress=lambda line: print(f"  {line}", file=sys.stderr))
    print(f"  demo built in {time.monotonic() - started:.0f} s", file=sys.stderr)


def bench_events():
    from wangge.demo.city import AREA_CODE
    from wangge.events.models import Event
    from wangge.foundation.codes import prefix_range

    return Event.objects.filter(prefix_range("grid_code", AREA_CODE),
                                description__startswith=MARK)


def remove_bench_events() -> None:
    """Delete earlier bench events (and whatever refers to them) without fetching them."""
    from django.db import connection, transaction

    from wangge.events.models import Event, EventTransition
    from wangge.notifications.models import Notification

    ids = bench_events().values("pk")
    with transaction.atomic():
        for model in (EventTransition, Notification):
            queryset = model.objects.filter(event_id__in=ids)
            queryset._raw_delete(connection.alias)
        history = Event.history.model.objects.filter(description__startswith=MARK)
        history._raw_delete(connection.alias)
        bench_events()._raw_delete(connection.alias)


def _pick(rng: random.Random, weights: dict[str, int]) -> Callable[[], str]:
    names, cumulative = list(weights), []
    total = 0
    for weight in weights.values():
        total += weight
        cumulative.append(total)
    return lambda: rng.choices(names, cum_weights=cumulative)[0]


def load(count: int, days: int, seed: int) -> None:
    """Insert ``count`` events through the bulk path, chunk by chunk."""
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from wangge.bulk import Keys, insert_with_history
    from wangge.demo.city import AREA_CODE
    from wangge.divisions.models import Grid
    from wangge.events.models import Category, Event
    from wangge.foundation.codes import Level, level_of, parent_code

    rng = random.Random(seed)
    grids = list(Grid.objects.in_scope([AREA_CODE]).values_list(
        "code", "min_lon", "min_lat", "max_lon", "max_lat"))
    categories = list(Category.objects.filter(active=True, parent__isnull=False))
    priority, channel, final = _pick(rng, PRIORITIES), _pick(rng, CHANNELS), _pick(
        rng, FINAL_STATES)
    allowed = {(c.pk, p): c.time_allowed(p) for c in categories for p in PRIORITIES}
    climb = datetime.timedelta(hours=settings.WANGGE_ESCALATION_HOURS)
    now = timezone.now()
    window = days * 86400
    keys = Keys(Event)
    loaded = 0
    while loaded < count:
        records = []
        for _ in range(min(CHUNK, count - loaded)):
            code, west, south, east, north = rng.choice(grids)
            category = rng.choice(categories)
            level = priority()
            reported = now - datetime.timedelta(seconds=rng.randrange(window))
            deadline = reported + allowed[category.pk, level]
            is_open = rng.random() < OPEN_SHARE[now - reported < RECENT]
            event = Event(
                category_id=category.pk, description=MARK + category.name, priority=level,
                grid_code=code, longitude=rng.uniform(west, east),
                latitude=rng.uniform(south, north), channel=channel(), reported_at=reported,
                deadline=deadline, responsible_code=code,
                state=rng.choice(OPEN_STATES) if is_open else final())
            if is_open:
                # Escalated as `wangge escalate` would have: a level a day past the deadline.
                event.escalate_after = deadline
                while event.escalate_after < now and level_of(
                        event.responsible_code) not in (Level.DISTRICT, Level.CITY):
                    event.responsible_code = parent_code(event.responsible_code)
                    event.escalations += 1
                    event.escalate_after += climb
            else:
                event.closed_at = min(now, reported + allowed[category.pk, level] * rng.random())
            records.append(event)
        keys.assign(*records)
        with transaction.atomic():
            insert_with_history(Event, records, reason="bench")
        loaded += len(records)
        print(f"  {loaded:,} events", file=sys.stderr)
    keys.close()


def timed(call: Callable[[], object], repeat: int) -> tuple[float, float]:
    """p50 and p95 in milliseconds of ``repeat`` calls, after two unmeasured ones."""
    for _ in range(2):
        call()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * len(times)) - 1)]


def measure(repeat: int, page_size: int) -> list[tuple[str, float, float]]:
    from django.utils import timezone

    from wangge.access.models import User
    from wangge.demo.accounts import username_for
    from wangge.events.selectors import event_counts, events_visible_to
    from wangge.foundation.permissions import Role

    district = User.objects.get(username=username_for(Role.DISTRICT_ADMIN))
    worker = User.objects.get(username=username_for(Role.GRID_WORKER))
    grid = worker.jurisdictions.order_by("code").first().code

    def overdue_list(scope) -> Callable[[], object]:
        # As the overdue tab and `GET /events?overdue=true`: a page of the soonest-due first,
        # and the total.
        def call() -> object:
            overdue = scope().overdue(timezone.now()).order_by("deadline")
            return list(overdue[:page_size]), overdue.count()
        return call

    def counts(scope) -> Callable[[], object]:
        return lambda: event_counts(scope())

    scopes = {"district": lambda: events_visible_to(district),
              "grid": lambda: events_visible_to(worker).in_scope([grid])}
    results = []
    for name, scope in scopes.items():
        results.append((f"overdue list, {name}", *timed(overdue_list(scope), repeat)))
        results.append((f"dashboard counts, {name}", *timed(counts(scope), repeat)))
    figures = event_counts(scopes["district"]())
    grid_figures = event_counts(scopes["grid"]())
    print(f"  district: {figures}", file=sys.stderr)
    print(f"  grid {grid}: {grid_figures}", file=sys.stderr)
    return results


def measure_cockpit(repeat: int, days: int) -> list[tuple[str, float, float]]:
    """p50 and p95 of each cockpit chart at each level, over the last ``days`` days."""
    import datetime

    from django.utils import timezone

    from wangge.access.models import User
    from wangge.cockpit import selectors as cockpit
    from wangge.demo.accounts import username_for
    from wangge.events.figures import period_of
    from wangge.foundation.permissions import Role

    def account(role: str) -> "User":
        return User.objects.get(username=username_for(role))

    community = account(Role.COMMUNITY_STAFF)
    community_code = community.jurisdictions.get().code
    grid = cockpit.cockpit_unit(community, community_code).children[0].code
    levels = {"district": (account(Role.DISTRICT_ADMIN), None),
              "street": (account(Role.STREET_OFFICER), None),
              "community": (community, None), "grid": (community, grid)}
    today = timezone.localdate()
    period = period_of(today - datetime.timedelta(days=days - 1), today)
    charts: dict[str, Callable[..., object]] = {
        "totals": cockpit.totals, "series": cockpit.series, "categories": cockpit.categories,
        "channels": cockpit.channels, "areas": cockpit.areas, "patrols": cockpit.patrols,
        "registry": lambda user, unit, period: cockpit.registry(user, unit),
        "whole cockpit": cockpit.cockpit}
    results = []
    for level, (user, code) in levels.items():
        unit = cockpit.cockpit_unit(user, code)
        for name, chart in charts.items():
            results.append((f"cockpit {name}, {level}", *timed(
                lambda chart=chart, user=user, unit=unit: chart(user, unit, period), repeat)))
    totals = cockpit.totals(levels["district"][0], cockpit.cockpit_unit(
        levels["district"][0]), period)
    print(f"  cockpit, district, {period.start} to {period.end}: {totals}", file=sys.stderr)
    return results


def ensure_tally(grid: str) -> None:
    """Rebuild the events' tally when it disagrees with the events of ``grid`` (loaded by an
    earlier run without it, or changed since)."""
    from wangge.demo.city import AREA_CODE
    from wangge.events.tally import tally_differences, tally_rebuild

    if tally_differences(grid):
        started = time.monotonic()
        rows = tally_rebuild(AREA_CODE)
        print(f"  tally rebuilt: {rows:,} rows in {time.monotonic() - started:.0f} s",
              file=sys.stderr)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=365, help="reported over the past DAYS")
    parser.add_argument("--residents", type=int, default=20_000,
                        help="for the demo district, when there is none yet")
    parser.add_argument("--repeat", type=int, default=50, help="timed calls per figure")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--reload", action="store_true", help="replace the loaded events")
    parser.add_argument("--cockpit-days", type=int, default=30,
                        help="the cockpit's period: the last DAYS days")
    args = parser.parse_args(argv)
    setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from wangge.demo.city import AREA_CODE
    from wangge.divisions.models import Grid
    from wangge.events.tally import tally_rebuild

    call_command("migrate", verbosity=0)
    ensure_demo(args.residents)
    if args.reload or bench_events().count() != args.events:
        remove_bench_events()
        started = time.monotonic()
        load(args.events, args.days, args.seed)
        elapsed = time.monotonic() - started
        print(f"  loaded {args.events:,} events in {elapsed:.0f} s "
              f"({args.events / elapsed:,.0f}/s)", file=sys.stderr)
        started = time.monotonic()
        rows = tally_rebuild(AREA_CODE)
        print(f"  tally rebuilt: {rows:,} rows in {time.monotonic() - started:.0f} s",
              file=sys.stderr)
        if connection.vendor == "postgresql":
            # What autovacuum does after a bulk load: statistics for the planner, and the
            # visibility map that lets counts be answered from an index alone.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM (ANALYZE) events_event")
                cursor.execute("VACUUM (ANALYZE) events_eventtally")
    else:
        ensure_tally(Grid.objects.in_scope([AREA_CODE]).order_by("code").first().code)
    if connection.vendor == "postgresql":
        # Autovacuum's statistics of the tables the cockpit reads besides the events (the
        # demo's residents, buildings and patrols, loaded in bulk): the planner needs them.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    grids = Grid.objects.in_scope([AREA_CODE]).count()
    print(f"events[{connection.vendor}]: {args.events:,} events over {grids} grids, "
          f"{args.repeat} calls each")
    for name, p50, p95 in (*measure(args.repeat, settings.WANGGE_PAGE_SIZE),
                           *measure_cockpit(args.repeat, args.cockpit_days)):
        print(f"  {name:<36} p50 {p50:8.2f} ms   p95 {p95:8.2f} ms")


if __name__ == "__main__":
    main()
