"""`make bench`: run every benchmark in bench/ with modest defaults and print its figures.

    python bench/run.py                  # all of them
    python bench/run.py demo -- -n 5000  # one, with its own options after --

Each runs in a fresh process, so its peak memory is its own.
"""

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def benchmarks() -> list[str]:
    return sorted(path.stem for path in HERE.glob("*.py")
                  if path.stem not in {"run", "__init__"})


def main() -> int:
    argv = sys.argv[1:]
    split = argv.index("--") if "--" in argv else len(argv)
    parser = argparse.ArgumentParser(
        description="Run the benchmarks in bench/; options after -- go to each of them.")
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"which to run (default all: {', '.join(benchmarks())})")
    args = parser.parse_args(argv[:split])
    if unknown := set(args.names) - set(benchmarks()):
        parser.error(f"no benchmark named {', '.join(sorted(unknown))}")
    options = argv[split + 1:]
    failed = 0
    for name in args.names or benchmarks():
        print(f"== {name}", flush=True)
        failed += subprocess.run([sys.executable, str(HERE / f"{name}.py"), *options],
                                 check=False).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
