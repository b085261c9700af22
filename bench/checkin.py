"""Residents' check-ins per second through the production web server, against its bare answer
and a plain one-INSERT-per-request endpoint, in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wg_bench wangge bench checkin

It starts the web server (granian) as deploy/wangge-web.service does (its flags read from that
file, bound to a free port on 127.0.0.1) over the configured PostgreSQL database, with the
benchmark's own endpoints mounted (WANGGE_BENCH_ENDPOINTS=1; never in production). Then Locust
(the `bench` extra) drives three endpoints in turn for ``--seconds`` each with ``--users`` users
that send without pause, and prints requests/s, p50 and p99 of each:

- ``bare``: the server's bare answer (the whole middleware stack, no database);
- ``insert``: today's check-in of one person, one INSERT … ON CONFLICT and its COMMIT per
  request (the same statement as the check-in's, without the group commit);
- ``check-in``: the residents' page (``POST /checkin/answers/``, a signed pass cookie and the
  CSRF token as a phone sends them, one person each), answered with the receipt once its
  group commit is durable (health/writer.py).

Persons for it are made once in a grid of their own (code BENCH_GRID, no division), ``--persons``
of them, half for each writing endpoint; their check-ins of today are deleted before each run.
At the end it counts what the database holds: every acknowledged check-in must be there (the
sum of the stored rows' answers is at least the number of receipts).
"""

import argparse
import csv
import os
import re
import resource
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[1]
SERVICE = ROOT / "deploy" / "wangge-web.service"
USERS_FILE = Path(__file__).resolve().parent / "locustfiles" / "checkin.py"
BENCH_GRID = "990000000000001"
MARK = "bench-"
PHASES = ("bare", "insert", "check-in")


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wangge.settings")
    django.setup()


def documented_server(port: int) -> list[str]:
    """The server's command as deploy/wangge-web.service gives it, on ``port`` of loopback."""
    text = SERVICE.read_text().replace("\\\n", " ")
    found = re.search(r"^ExecStart=(.+)$", text, re.MULTILINE)
    if found is None:
        raise SystemExit(f"{SERVICE} has no ExecStart line")
    executable, *arguments = shlex.split(found[1])
    arguments[arguments.index("--port") + 1] = str(port)
    return [sys.executable, "-m", Path(executable).name, *arguments]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def persons(count: int) -> list[tuple[int, str]]:
    """``count`` persons of the bench grid (made once, in bulk), as (id, grid code)."""
    from wangge.people.models import Person

    have = Person.objects.filter(grid_code=BENCH_GRID).count()
    if have < count:
        Person.objects.bulk_create(
            [Person(name=f"{MARK}{index}", grid_code=BENCH_GRID) for index in
             range(have, count)], batch_size=5000)
    return list(Person.objects.filter(grid_code=BENCH_GRID).order_by("pk")
                .values_list("pk", "grid_code")[:count])


def data_file(folder: Path, phase: str, rows: list[tuple[int, str]]) -> Path:
    """One line per request to send: person, grid and (for the check-in) the pass naming that
    person, signed with the server's own secret key."""
    from wangge.health.models import CheckInChannel
    from wangge.health.passes import pass_issue

    path = folder / f"{phase}.tsv"

    class Named:  # pass_issue reads the pk alone
        def __init__(self, pk: int):
            self.pk = pk

    with path.open("w", encoding="utf-8") as out:
        for pk, grid in rows:
            passed = (pass_issue([Named(pk)], channel=CheckInChannel.POSTER)
                      if phase == "check-in" else "-")
            out.write(f"{pk}\t{grid}\t{passed}\n")
    return path


def today_removed(ids: list[int]) -> None:
    from wangge.health.models import CheckIn
    from wangge.health.services import today

    CheckIn.objects.filter(person_id__in=ids, day=today()).delete()


def stored_answers(ids: list[int]) -> tuple[int, int]:
    """Today's check-ins of these persons, and the answers they hold (revisions)."""
    from django.db.models import Count, Sum

    from wangge.health.models import CheckIn
    from wangge.health.services import today

    found = CheckIn.objects.filter(person_id__in=ids, day=today()).aggregate(
        rows=Count("pk"), answers=Sum("revisions"))
    return found["rows"], found["answers"] or 0


def wait_until_up(base: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}")
        try:
            request = urllib.request.Request(f"{base}/bench/bare", data=b"x=1")
            with urllib.request.urlopen(request, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("the server did not answer in time")


TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int, *, children: bool = False) -> float:
    """CPU time of a process (and of its children it has waited for), 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    used = int(fields[11]) + int(fields[12])  # utime, stime
    if children:
        used += int(fields[13]) + int(fields[14])  # cutime, cstime
    return used / TICKS


def server_cpu(master: int) -> float:
    """The server's CPU so far: the main process with the workers it reaped, and the live
    workers."""
    workers = [int(name) for name in os.listdir("/proc") if name.isdigit()
               and _parent(int(name)) == master]
    return _cpu_seconds(master, children=True) + sum(map(_cpu_seconds, workers))


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def database_cpu(seen: dict[int, float]) -> float:
    """CPU used by this database's server processes since ``seen`` (pid → CPU then), which
    is updated; a connection opened since counts from zero."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                       "AND pid <> pg_backend_pid()")
        pids = [row[0] for row in cursor.fetchall()]
    used = 0.0
    for pid in pids:
        now = _cpu_seconds(pid)
        used += max(now - seen.get(pid, 0.0), 0.0)
        seen[pid] = now
    return used


def drive(base: str, phase: str, data: Path, *, users: int, seconds: int,
          folder: Path) -> dict[str, float]:
    """One Locust run of ``phase``; its figures from Locust's CSV summary, with the CPU
    Locust used."""
    prefix = folder / f"{phase}-{seconds}"
    environment = {**os.environ, "BENCH_PHASE": phase, "BENCH_DATA": str(data)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(USERS_FILE), "--headless", "--only-summary",
         "--users", str(users), "--spawn-rate", str(users), "--run-time", f"{seconds}s",
         "--stop-timeout", "10", "--host", base, "--csv", str(prefix), "--loglevel", "ERROR"],
        env=environment, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(f"{prefix}_stats.csv", encoding="utf-8") as table:
        row = next(line for line in csv.DictReader(table) if line["Name"] == phase)
    return {"requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
            "per_second": float(row["Requests/s"]), "p50": float(row["50%"]),
            "p99": float(row["99%"]),
            "load_cpu": after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20, help="measured time per endpoint")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured time per endpoint")
    parser.add_argument("--users", type=int, default=64, help="Locust users sending at once")
    parser.add_argument("--persons", type=int, default=80_000,
                        help="persons of the bench grid (half for each writing endpoint)")
    args = parser.parse_args(argv)
    setup()
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        # `make bench` on the SQLite default runs the others; this one says why it did not.
        print("skipped: set DATABASE_URL to a PostgreSQL database (the bench measures the "
              "server as a city runs it)")
        return
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    rows = persons(args.persons)
    half = len(rows) // 2
    slices = {"bare": rows[:1], "insert": rows[:half], "check-in": rows[half:]}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = documented_server(port)
    environment = {**os.environ, "WANGGE_BENCH_ENDPOINTS": "1",
                   "WANGGE_SECRET_KEY": settings.SECRET_KEY,
                   # The insert's baseline at its best: a connection kept per thread rather
                   # than one opened per request (the check-in's writer keeps its own anyway).
                   "DATABASE_CONN_MAX_AGE": "600"}
    print(f"server: {shlex.join(command[2:])} (from {SERVICE.relative_to(ROOT)})")
    print(f"load: Locust, {args.users} users without pause, {args.seconds} s per endpoint "
          f"after {args.warmup} s unmeasured; machine load average before: "
          f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    results: dict[str, dict[str, float]] = {}
    acknowledged = 0
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        server = subprocess.Popen(command, cwd=ROOT, env=environment,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  start_new_session=True)
        try:
            wait_until_up(base, server)
            for phase in PHASES:
                ids = [pk for pk, _grid in slices[phase]]
                if phase != "bare":
                    today_removed(ids)
                data = data_file(folder, phase, slices[phase])
                warm = drive(base, phase, data, users=args.users, seconds=args.warmup,
                             folder=folder)
                started, seen = server_cpu(server.pid), {}
                database_cpu(seen)
                results[phase] = figures = drive(base, phase, data, users=args.users,
                                                 seconds=args.seconds, folder=folder)
                figures["server_cpu"] = server_cpu(server.pid) - started
                figures["database_cpu"] = database_cpu(seen)
                if phase == "check-in":
                    acknowledged = (warm["requests"] - warm["failures"]
                                    + results[phase]["requests"] - results[phase]["failures"])
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    # The CPU each request took (server, database, load generator) does not depend on what
    # else the machine runs; the ceiling is what the machine's cores would do with no other
    # work than this.
    print(f"{'endpoint':<10} {'requests/s':>11} {'p50 ms':>8} {'p99 ms':>8} {'requests':>9} "
          f"{'failed':>7}   CPU ms per request: {'server':>6} {'database':>8} "
          f"{'Locust':>6}  ceiling/s")
    for phase, figures in results.items():
        count = max(figures["requests"], 1)
        cpu = [figures[name] * 1000 / count
               for name in ("server_cpu", "database_cpu", "load_cpu")]
        ceiling = (os.cpu_count() or 1) * 1000 / max(sum(cpu), 1e-9)
        print(f"{phase:<10} {figures['per_second']:>11.0f} {figures['p50']:>8.0f} "
              f"{figures['p99']:>8.0f} {figures['requests']:>9.0f} {figures['failures']:>7.0f}"
              f"   {'':>19} {cpu[0]:>6.2f} {cpu[1]:>8.2f} {cpu[2]:>6.2f}  {ceiling:>9.0f}")
    check_in_ids = [pk for pk, _grid in slices["check-in"]]
    stored, answers = stored_answers(check_in_ids)
    verdict = "all there" if answers >= acknowledged else "MISSING"
    print(f"check-ins acknowledged (receipts): {acknowledged}; stored: {stored} rows holding "
          f"{answers} answers: {verdict}")
    if answers < acknowledged:
        sys.exit(1)


if __name__ == "__main__":
    main()
