"""Resolve a generated list of addresses written the usual ways (prefixes or none, 栋/幢/号楼/座,
1-1-101, 1单元1楼1号, Chinese numerals, full-width digits, Traditional characters, spaces and
punctuation) through the address base, and report the share placed, placed correctly and
placed wrongly, and rows/s: district-wide, then street by street.

    wangge bench addresses --rows 100000
    wangge bench addresses --rows 100000 --reuse      # the demo district already built

It builds the demo district first (`wangge demo --residents R --no-serve`, on the configured
database: run it on a database of its own) unless --reuse.
"""

import argparse
import os
import random
import time

import django


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wangge.settings")
    django.setup()


def measure(label: str, prefixes: list[str], rows: list[tuple[str, int]]) -> tuple[int, ...]:
    from wangge.normalisers.addresses import normalised_address
    from wangge.places.addresses import AddressBase, Placed

    normalised_address.cache_clear()  # each run reads its rows cold
    started = time.perf_counter()
    base = AddressBase(prefixes)
    base.load_every_dwelling()
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    answers = [base.resolve(text) for text, _dwelling in rows]
    seconds = time.perf_counter() - started
    placed = [(answer, dwelling) for answer, (_text, dwelling) in zip(answers, rows, strict=True)
              if isinstance(answer, Placed)]
    right = sum(answer.dwelling_id == dwelling for answer, dwelling in placed)
    if label:
        print(f"{label}: {len(rows)} rows, placed {len(placed) / len(rows):.2%}, correctly "
              f"{right / len(rows):.2%}, wrongly {len(placed) - right}; "
              f"{len(rows) / seconds:,.0f} rows/s (base loaded in {loaded:.2f} s)", flush=True)
    return len(rows), len(placed), right, seconds, loaded


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", "-n", type=int, default=100_000)
    parser.add_argument("--residents", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="use the demo district as it is")
    args = parser.parse_args()
    setup()
    from django.core.management import call_command
    from django.db import connection

    from wangge.demo.addresses import flats, written
    from wangge.demo.build import demo_build
    from wangge.divisions.models import Division
    from wangge.places.models import Dwelling

    print(f"database: {connection.vendor}", flush=True)
    if not args.reuse:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        demo_build(residents=args.residents)
        print(f"demo district of {args.residents} residents built in "
              f"{time.perf_counter() - started:.0f} s", flush=True)
    rng = random.Random(args.seed)
    known = flats()
    rows = [(written(flat, rng), flat.dwelling_id) for flat in rng.choices(known, k=args.rows)]
    print(f"{len(rows)} rows over {len(known)} dwellings", flush=True)
    measure("district-wide", ["420102"], rows)
    totals = [0, 0, 0, 0.0]
    street_of = dict(Dwelling.objects.values_list("pk", "grid_code"))
    for street in Division.objects.filter(level="street", code__startswith="420102"):
        prefix = street.code[:9]
        mine = [row for row in rows if street_of[row[1]].startswith(prefix)]
        if mine:
            counted = measure("", [prefix], mine)
            for index in range(4):
                totals[index] += counted[index]
    count, placed, right, seconds = totals
    print(f"street by street: {count} rows, placed {placed / count:.2%}, correctly "
          f"{right / count:.2%}, wrongly {placed - right}; {count / seconds:,.0f} rows/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
