"""`wangge bench NAME [options]`: run the benchmark bench/NAME.py of this checkout."""

import subprocess
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

BENCH_DIR = Path(__file__).resolve().parents[5] / "bench"


class Command(BaseCommand):
    help = "Run a benchmark from bench/ in its own process (so its peak memory is its own)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="the benchmark, e.g. import, demo")
        parser.add_argument("options", nargs="...", help="options passed to the benchmark")

    def handle(self, *args: Any, name: str, options: list[str], **_: Any) -> None:
        script = BENCH_DIR / f"{name}.py"
        if name == "run" or not script.is_file():
            known = sorted(path.stem for path in BENCH_DIR.glob("*.py") if path.stem != "run")
            raise CommandError(f"No benchmark named {name!r}; known: {', '.join(known) or 'none'} "
                               f"(benchmarks live in the source checkout's bench/).")
        completed = subprocess.run([sys.executable, str(script), *options], check=False)
        if completed.returncode:
            raise CommandError(f"bench/{name}.py exited with {completed.returncode}")
