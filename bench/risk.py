"""Time the risk grades on the demo city: one confirmed case until every grade it touches is
updated, a batch of 10,000 cases, and the full recompute; and check that the grades the
incremental path left equal a full recompute.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wg_risk wangge bench risk --residents 1000000

It needs the demo district at ``--residents`` people (``wangge demo``'s own ``demo_build``,
its bulk paths); a district of another size (beyond 10 %) is rebuilt. Earlier bench cases
(marked by their reporting unit) and every grade are removed first, then:

- **batch**: ``--batch`` cases in one transaction (one bulk insert and one signal naming
  every person), timed from the start of the transaction to its commit;
- **one case**: then, with the batch's cases in the tables (an epidemic under way), ``--cases``
  times, a confirmed case of a random resident is recorded through
  ``epidemic.services.case_record`` (its checks, its history row, and
  ``health.signals.risk_inputs_changed`` in its transaction), timed from the call to the
  commit — the grades of the person, their building, grid and community are written in it;
- **full**: ``grades_recompute`` (every subject from scratch, written where it differs),
  then the stored grades are compared with a fresh full evaluation (``grades_differences``):
  the incremental path must have left exactly what a recompute gives.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from typing import Any

import django

MARK = "[bench]"
BENCH: Any = None  # the system actor, once Django is set up


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wangge.settings")
    django.setup()


def ensure_demo(residents: int) -> None:
    from wangge.demo.build import demo_build
    from wangge.demo.city import AREA_CODE
    from wangge.foundation.codes import prefix_range
    from wangge.people.models import Person

    have = Person.objects.filter(prefix_range("grid_code", AREA_CODE)).count()
    if have and abs(have - residents) <= residents // 10:
        print(f"  reusing the demo district ({have:,} residents)", file=sys.stderr)
        return
    print(f"  building the demo district with {residents:,} residents", file=sys.stderr)
    started = time.monotonic()
    demo_build(residents=residents, progress=lambda line: print(f"  {line}", file=sys.stderr))
    print(f"  demo built in {time.monotonic() - started:.0f} s", file=sys.stderr)


def clear() -> None:
    """Remove earlier bench cases and every grade (a bench database only), and give the
    planner statistics."""
    from django.db import connection

    from wangge.epidemic.models import Case
    from wangge.risk.models import Grade, GradeChange

    cases = Case.objects.filter(source_detail=MARK)
    Case.history.filter(source_detail=MARK).delete()
    cases.delete()
    GradeChange.objects.all().delete()
    Grade.objects.all().delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def residents_with_a_home(count: int, rng: random.Random) -> list[tuple[int, str]]:
    """``count`` distinct random residents who live in a building: (id, grid code)."""
    from wangge.people.models import Person

    top = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    chosen: dict[int, str] = {}
    while len(chosen) < count:
        ids = [rng.randint(1, top) for _ in range(min(50_000, 3 * (count - len(chosen))))]
        for pk, grid_code in Person.objects.filter(
                pk__in=ids, dwelling__isnull=False).values_list("pk", "grid_code"):
            if len(chosen) < count:
                chosen[pk] = grid_code
    return list(chosen.items())


def case(person: tuple[int, str], today: datetime.date):
    from wangge.epidemic.models import Case

    return Case(person_id=person[0], grid_code=person[1], status="confirmed", source="cdc",
                source_detail=MARK, reported_on=today, confirmed_on=today)


def record_one(person: Any, today: datetime.date) -> float:
    """Record a confirmed case of ``person`` through the epidemic service (its checks, the
    history row, and ``risk_inputs_changed`` in its transaction); seconds to the commit."""
    from wangge.epidemic.services import case_record

    started = time.perf_counter()
    case_record(person=person, status="confirmed", source="cdc", source_detail=MARK,
                reported_on=today, confirmed_on=today, by=BENCH)
    return time.perf_counter() - started


def record_batch(persons: list[tuple[int, str]], today: datetime.date) -> float:
    """Record confirmed cases of ``persons`` as a bulk writer does: one insert and one
    ``risk_inputs_changed`` naming every person, in one transaction; seconds to the commit."""
    from django.db import transaction

    from wangge.epidemic.models import Case
    from wangge.health.signals import risk_inputs_changed

    started = time.perf_counter()
    with transaction.atomic():
        Case.objects.bulk_create([case(person, today) for person in persons], batch_size=5000)
        risk_inputs_changed.send(sender=Case, persons={pk for pk, _ in persons},
                                 buildings=set(), venues=set())
    return time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--cases", type=int, default=200, help="single cases timed")
    parser.add_argument("--batch", type=int, default=10_000, help="cases in the batch")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)
    setup()
    global BENCH
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from wangge.demo.city import AREA_CODE
    from wangge.divisions.models import Grid
    from wangge.foundation.actors import system_actor
    from wangge.people.models import Person
    from wangge.places.models import Building
    from wangge.risk.models import Grade
    from wangge.risk.services import grades_differences, grades_recompute

    BENCH = system_actor("wangge bench risk")
    call_command("migrate", verbosity=0)
    clear()  # first: rebuilding the demo removes the persons the bench cases point at
    ensure_demo(args.residents)
    rng = random.Random(args.seed)
    today = timezone.localdate()
    chosen = residents_with_a_home(args.cases + args.batch, rng)
    singles, batch = chosen[:args.cases], chosen[args.cases:]
    batch_seconds = record_batch(batch, today)
    if connection.vendor == "postgresql":
        # What autovacuum does after the batch: statistics of the cases and grades for the
        # planner, as in an epidemic under way.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE epidemic_case")
            cursor.execute("ANALYZE risk_grade")
    persons = Person.objects.in_bulk([pk for pk, _ in singles])
    for pk, _ in singles[:5]:
        record_one(persons[pk], today)  # warm the caches and the rules
    timings = [record_one(persons[pk], today) * 1000 for pk, _ in singles[5:]]
    differences_before = grades_differences()
    started = time.perf_counter()
    summary = grades_recompute(by=BENCH)
    full_seconds = time.perf_counter() - started
    started = time.perf_counter()
    differences_after = grades_differences()
    check_seconds = time.perf_counter() - started
    residents = Person.objects.count()
    grids = Grid.objects.in_scope([AREA_CODE]).count()
    buildings = Building.objects.count()
    print(f"risk[{connection.vendor}]: {residents:,} residents, {buildings:,} buildings, "
          f"{grids:,} grids")
    print(f"  one confirmed case → grades updated (n={len(timings)}): "
          f"p50 {statistics.median(timings):.1f} ms, p99 {percentile(timings, 0.99):.1f} ms, "
          f"max {max(timings):.1f} ms")
    print(f"  batch of {len(batch):,} cases → grades updated: {batch_seconds:.2f} s")
    print(f"  full recompute: {full_seconds:.2f} s ({summary}); a full evaluation: "
          f"{check_seconds:.2f} s")
    levels = {kind: Grade.objects.filter(kind=kind).count() for kind in
              ("person", "building", "grid", "community")}
    print(f"  graded medium or high: {levels}")
    equal = not differences_before and not differences_after
    print(f"  incremental == full recompute: {'yes' if equal else 'NO'} "
          f"({len(differences_before)} differences before the recompute)")
    for line in differences_before[:10]:
        print(f"    {line}")
    if not equal:
        sys.exit(1)


if __name__ == "__main__":
    main()
