"""Link N generated department-list rows with `wangge link` and report speed, peak memory and
pairwise quality against the generator's truth.

    wangge bench link --records 100000
    wangge bench link --records 1000000 --threshold 0.9

The lists (health, civil affairs, police, housing; UTF-8, BOM and GB18030 CSV) are written
first; `wangge link` then runs in its own process, so its time and peak memory are its own.
"""

import argparse
import csv
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import django


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wangge.settings")
    django.setup()


def generate(directory: Path, records: int, seed: int) -> tuple[list[Path], dict]:
    """The lists and their truth, reused from ``directory`` when already written."""
    from wangge.linkage.generator import population, write_lists

    truth_file = directory / "truth.pickle"
    if truth_file.exists():
        with truth_file.open("rb") as file:
            return pickle.load(file)
    # About 2.6 rows a resident: each department lists a share of them.
    paths, truth = write_lists(directory, population(int(records / 2.6), seed=seed), seed=seed)
    with truth_file.open("wb") as file:
        pickle.dump((paths, truth), file)
    return paths, truth


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", "-n", type=int, default=100_000)
    parser.add_argument("--threshold", type=float, default=None)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", help="keep the generated lists here and reuse them")
    args = parser.parse_args()
    setup()
    import numpy as np

    from wangge.linkage.quality import pairwise_quality

    with tempfile.TemporaryDirectory(prefix="wangge-link-") as scratch:
        directory = Path(args.workdir or scratch)
        directory.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        paths, truth = generate(directory, args.records, args.seed)
        print(f"generated {len(truth)} rows of {len(set(truth.values()))} residents in "
              f"{len(paths)} lists in {time.perf_counter() - started:.1f} s", flush=True)
        out = directory / "clusters.csv"
        command = [sys.executable, "-m", "wangge.cli", "link", *map(str, paths), "--out",
                   str(out)]
        if args.threshold is not None:
            command += ["--threshold", str(args.threshold)]
        started = time.perf_counter()
        subprocess.run(command, check=True)
        seconds = time.perf_counter() - started
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak, cpu = usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime
        with out.open(encoding="utf-8") as file:
            rows = list(csv.reader(file))[1:]
        clusters = np.array([int(row[2]) for row in rows])
        people = np.array([truth[(row[0], int(row[1]))] for row in rows])
        quality = pairwise_quality(clusters, people)
    # CPU time too: on a shared machine the wall time says as much about the neighbours.
    print(f"linked {len(rows)} rows in {seconds:.1f} s ({cpu:.1f} s of CPU): "
          f"{len(rows) / seconds:,.0f} records/s, peak memory {peak:,.0f} MiB "
          f"({os.cpu_count()} CPUs)")
    print(f"pairwise precision {quality.precision:.5f}  recall {quality.recall:.5f}  "
          f"F1 {quality.f1:.5f}  (true pairs {quality.true_pairs}, found "
          f"{quality.found_pairs}, correct {quality.correct_pairs})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
