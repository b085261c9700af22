"""`wangge allocate PROBLEM.json [--out PLAN.json]`: the optimal allocation of scarce supplies
from depots to demands, with every shortfall explained (docs/allocation.md)."""

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wangge.resources.allocation import ProblemError, allocate, problem_from_json

MAX_PROBLEM_BYTES = 100 * 1024 * 1024  # 200,000 demands with a few items each fit well within


@contextmanager
def c_stdout_to_stderr() -> Iterator[None]:
    """HiGHS prints a banner on the C library's standard output once per process; the plan may
    go to standard output, so the solve runs with that descriptor pointed at standard error."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def read_problem(path: Path) -> Any:
    try:
        size = path.stat().st_size
        if size > MAX_PROBLEM_BYTES:
            raise CommandError(f"{path} is {size:,} bytes; a problem may have at most "
                               f"{MAX_PROBLEM_BYTES:,}.")
        with path.open("rb") as file:
            return json.load(file)
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror or error}.") from error
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CommandError(f"{path} is not valid JSON: {error}.") from error
    except RecursionError as error:
        raise CommandError(f"{path} is nested too deeply to be a problem.") from error


class Command(BaseCommand):
    help = ("Allocate scarce supplies: read a problem (depots with stock, demands with need "
            "and priority 1-3) and write the plan (shipments, unmet lines with why, objective) "
            "that first leaves the least priority-weighted need unmet, then ships the fewest "
            "unit-kilometres. The contract: docs/allocation.md.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("problem", type=Path, help="the problem, a JSON file")
        parser.add_argument("--out", type=Path, help="write the plan here (default: stdout)")

    def handle(self, *args: Any, problem: Path, out: Path | None, **options: Any) -> None:
        try:
            checked = problem_from_json(read_problem(problem))
        except ProblemError as error:
            raise CommandError(f"{problem} breaks the contract at {error}.") from error
        with c_stdout_to_stderr():
            plan = allocate(checked)
        text = json.dumps(plan.to_json(), ensure_ascii=False, indent=1)
        if out is None:
            self.stdout.write(text)
            return
        try:
            out.write_text(text + "\n", encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Cannot write {out}: {error.strerror or error}.") from error
        self.stderr.write(f"{len(plan.shipments):,} shipments, {len(plan.unmet):,} unmet lines "
                          f"written to {out}.")
