"""Time the demo build: residents per second and peak memory, against DATABASE_URL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wg_demo_bench python bench/demo.py -n 200000

It replaces the demo district in that database (see ``wangge demo``), so point it at a
scratch database.
"""

import argparse
import os
import resource
import sys
import time

import django


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--residents", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wangge.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from wangge.demo.build import DEFAULT_SEED, demo_build, demo_reset

    call_command("migrate", verbosity=0)
    # Removing an earlier build costs time in proportion to its size: not part of the figure.
    started = time.monotonic()
    demo_reset()
    print(f"  reset in {time.monotonic() - started:.1f} s", file=sys.stderr)
    started = time.monotonic()
    demo_build(residents=args.residents, seed=args.seed or DEFAULT_SEED,
               progress=lambda line: print(f"  {line}", file=sys.stderr))
    elapsed = time.monotonic() - started
    # ru_maxrss is in KiB on Linux.
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"demo[{connection.vendor}]: {args.residents} residents in {elapsed:.1f} s "
          f"({args.residents / elapsed:,.0f} residents/s), peak RSS {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
