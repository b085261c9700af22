"""Import N person rows from CSV and from xlsx, and compare, in the same run, with the raw
bulk load of the same rows and with django-import-export importing the same files.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench wangge bench import --rows 1000000

Two raw loads are measured: into a bare table (no index, no constraint), and into the person
table itself (its indexes and constraints, no checks, no history). "wangge-writes" is the CSV
import with every row checked before the clock starts: what matching the registry and writing
the records and their history take alone (it holds every checked row, so its memory is not the
import's). Each measurement runs in
its own process (peak memory is its own) against an emptied, vacuumed person table, so point
DATABASE_URL at a scratch database. django-import-export is slow; it imports the first
--baseline-rows rows (of the CSV, and of an xlsx holding just those rows) and its rate is
reported for those. The generated files are kept in $WANGGE_VAR_DIR and reused.
"""

import argparse
import csv
import datetime
import importlib.util
import os
import random
import resource
import subprocess
import sys
import time
from itertools import islice
from pathlib import Path
from typing import Any

import django

GRID = "110101001001001"
STEPS = ["raw", "raw-registry", "wangge", "wangge-writes", "wangge-xlsx", "import-export",
         "import-export-xlsx"]
HEADER = ["姓名", "身份证号", "手机号", "网格编码", "人口类型", "职业"]


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wangge.settings")
    django.setup()


def generate(path: Path, rows: int, baseline_rows: int) -> None:
    """Valid, distinct residents in one grid, written as the UTF-8 CSV departments send, as
    an xlsx workbook beside it (same rows), and as an xlsx of the first ``baseline_rows``."""
    import xlsxwriter

    from wangge.demo.identity import ResidentIdIssuer, given_name, mobile, surname

    rng, issuer = random.Random(7), ResidentIdIssuer()
    workbooks = [xlsxwriter.Workbook(str(name), {
        "constant_memory": True, "strings_to_numbers": False})
        for name in (path.with_suffix(".xlsx"), baseline_xlsx(path, baseline_rows))]
    sheets = [workbook.add_worksheet("居民") for workbook in workbooks]
    for sheet in sheets:
        sheet.write_row(0, 0, HEADER)
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER)
        for number in range(1, rows + 1):
            sex = rng.choice("MF")
            born = datetime.date(1940, 1, 1) + datetime.timedelta(days=rng.randrange(29000))
            row = [surname(rng) + given_name(rng, sex), issuer.issue("110101", born, sex),
                   mobile(rng), GRID, rng.choice(["户籍", "流动人口", "租住"]),
                   rng.choice(["教师", ""])]
            writer.writerow(row)
            for sheet in sheets[:1 if number > baseline_rows else 2]:
                sheet.write_row(number, 0, row)
    for workbook in workbooks:
        workbook.close()


def baseline_xlsx(path: Path, baseline_rows: int) -> Path:
    return path.with_name(f"{path.stem}-first-{baseline_rows}.xlsx")


def prepare_database() -> None:
    from django.core.management import call_command
    from django.db import connection

    from wangge.divisions.models import Division, Grid
    from wangge.divisions.services import division_create, grid_create
    from wangge.foundation.actors import system_actor
    from wangge.people.models import Person

    bench = system_actor("wangge bench import")

    call_command("migrate", verbosity=0)
    for code, name in [("110000000000", "北京市"), ("110100000000", "市辖区"),
                       ("110101000000", "东城区"), ("110101001000", "东华门街道"),
                       ("110101001001", "多福巷社区")]:
        if not Division.objects.filter(code=code).exists():
            division_create(code=code, name=name, by=bench)
    if not Grid.objects.filter(code=GRID).exists():
        grid_create(code=GRID, name="多福巷一网格", boundary={"type": "Polygon", "coordinates": [
            [[116.40, 39.91], [116.41, 39.91], [116.41, 39.92], [116.40, 39.92],
             [116.40, 39.91]]]}, by=bench)
    # Plain SQL: the ORM's delete would load every record (and its memory would count). The
    # vacuum clears the deleted rows' index entries, which would slow the next step's checks.
    with connection.cursor() as cursor:
        for model in (Person.history.model, Person):
            table = model._meta.db_table
            cursor.execute(f"DELETE FROM {table} WHERE grid_code = %s", [GRID])
            if connection.vendor == "postgresql":
                cursor.execute(f"VACUUM ANALYZE {table}")


def measure_wangge(path: Path) -> int:
    from wangge.foundation.actors import system_actor
    from wangge.imports.services import import_file

    summary = import_file(kind="persons", path=path, by=system_actor("wangge bench import"),
                          department="bench")
    assert summary.rejected == 0, summary.rejections[:3]
    return summary.created


def checked_rows(path: Path) -> tuple[Any, list]:
    """Every row of the CSV read and checked as the import does it, and the kind that did."""
    from wangge.imports.persons import PersonKind
    from wangge.imports.services import _columns, _data_rows
    from wangge.spreadsheets import HeaderMap, read_table

    kind = PersonKind(None)
    header_map = HeaderMap(kind.headers, None)
    table = read_table(path, is_header=header_map.is_header)
    columns = _columns(table, header_map, kind.required_columns)
    return kind, [(row, kind.prepare(row)) for row in _data_rows(table, columns)]


def measure_writes(kind: Any, checked: list) -> int:
    """The import's lookups and writes alone, chunk by chunk, in one transaction."""
    from django.db import transaction

    from wangge.imports.services import CHUNK_ROWS

    with transaction.atomic():
        for start in range(0, len(checked), CHUNK_ROWS):
            list(kind.write(checked[start:start + CHUNK_ROWS], reason="bench"))
    return len(checked)


RAW_COLUMNS = ["name", "id_number", "phone", "grid_code", "residence_type", "occupation"]


def measure_raw(path: Path, *, registry: bool) -> int:
    """A floor: the same rows parsed by csv and bulk-loaded, no checks, no history: into a
    bare table, or (``registry``) into the person table, the other columns a constant each."""
    from django.db import connection, transaction
    from django.utils import timezone

    table, columns, filler = "bench_raw_person", RAW_COLUMNS, ()
    if registry:
        table = "people_person"
        columns = [*RAW_COLUMNS, "document_type", "sex", "ethnicity", "health_status",
                   "vulnerable_tags", "relationship", "created", "updated"]
        now = timezone.now()
        filler = ("resident_id", "", "", "unknown", "[]", "", now, now)
    rows = 0
    with transaction.atomic(), connection.cursor() as cursor:
        if not registry:
            cursor.execute("DROP TABLE IF EXISTS bench_raw_person")
            cursor.execute(
                "CREATE TABLE bench_raw_person (name varchar(50), id_number varchar(20), "
                "phone varchar(20), grid_code varchar(15), residence_type varchar(12), "
                "occupation varchar(50))")
        names = ", ".join(columns)
        with path.open(encoding="utf-8", newline="") as file:
            reader = csv.reader(file)
            next(reader)
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in reader:
                        copy.write_row((*row, *filler) if filler else row)
                        rows += 1
            else:
                insert = (f"INSERT INTO {table} ({names}) "
                          f"VALUES ({', '.join(['%s'] * len(columns))})")
                while batch := [(*row, *filler) for row in islice(reader, 10_000)]:
                    cursor.executemany(insert, batch)
                    rows += len(batch)
        if not registry:
            cursor.execute("DROP TABLE bench_raw_person")
    return rows


def measure_import_export(path: Path, limit: int) -> int:
    """django-import-export's ModelResource over the same rows (the first ``limit``)."""
    import tablib
    from import_export import fields, resources

    from wangge.people.models import Person

    class PersonResource(resources.ModelResource):
        name = fields.Field(attribute="name", column_name="姓名")
        id_number = fields.Field(attribute="id_number", column_name="身份证号")
        # An empty xlsx cell reads as None; the columns are NOT NULL.
        phone = fields.Field(attribute="phone", column_name="手机号", default="")
        grid_code = fields.Field(attribute="grid_code", column_name="网格编码")
        occupation = fields.Field(attribute="occupation", column_name="职业", default="")

        class Meta:
            model = Person
            import_id_fields = ("id_number",)
            fields = ("name", "id_number", "phone", "grid_code", "occupation")

    if path.suffix == ".xlsx":
        with path.open("rb") as file:
            dataset = tablib.Dataset().load(file, format="xlsx")
    else:
        with path.open(encoding="utf-8") as file:
            dataset = tablib.Dataset().load("".join(islice(file, limit + 1)), format="csv")
    result = PersonResource().import_data(dataset, dry_run=False, raise_errors=True)
    return result.totals["new"]


def child(step: str, path: Path, limit: int) -> None:
    setup()
    if step == "wangge-writes":
        from wangge.collector import rare_collections

        with rare_collections():  # as import_file runs
            kind, checked = checked_rows(path)  # before the clock starts
            started = time.monotonic()
            rows = measure_writes(kind, checked)
    else:
        started = time.monotonic()
        rows = measure(step, path, limit)
    elapsed = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # A large xlsx is read in a child process: its peak counts too.
    reader_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"{rows} {elapsed:.3f} {peak:.0f} {reader_peak:.0f}")


def measure(step: str, path: Path, limit: int) -> int:
    if step == "wangge":
        return measure_wangge(path)
    if step == "wangge-xlsx":
        return measure_wangge(path.with_suffix(".xlsx"))
    if step.startswith("raw"):
        return measure_raw(path, registry=step == "raw-registry")
    if step == "import-export":
        return measure_import_export(path, limit)
    return measure_import_export(baseline_xlsx(path, limit), limit)


def main() -> None:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--rows", "-n", type=int, default=20_000, help="person rows to import")
    parser.add_argument("--baseline-rows", type=int, default=2_000,
                        help="rows django-import-export imports (it is slow)")
    parser.add_argument("--step", choices=STEPS,
                        help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        child(args.step, args.file, args.baseline_rows)
        return
    if importlib.util.find_spec("import_export") is None:
        parser.error("django-import-export, the baseline, is not installed: "
                     "pip install -e '.[bench]' (make bench does it)")
    setup()
    from django.db import connection

    path = Path(os.environ.get("WANGGE_VAR_DIR", "var")) / f"bench-persons-{args.rows}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    baseline_rows = min(args.baseline_rows, args.rows)
    if not baseline_xlsx(path, baseline_rows).exists():
        generate(path, args.rows, baseline_rows)
    figures = {}
    for step in STEPS:
        prepare_database()
        output = subprocess.run(
            [sys.executable, __file__, "--step", step, "--file", str(path),
             "--baseline-rows", str(baseline_rows)],
            check=True, capture_output=True, text=True,
        ).stdout.split()
        rows, seconds, peak, reader_peak = (int(output[0]), float(output[1]), int(output[2]),
                                            int(output[3]))
        figures[step] = rows / seconds
        reader = f" + {reader_peak} MiB in the reader process" if reader_peak else ""
        print(f"  {step:>18}: {rows:>9,} rows in {seconds:7.1f} s = {rows / seconds:>9,.0f} "
              f"rows/s, peak RSS {peak} MiB{reader}")
    print(f"import[{connection.vendor}] {args.rows:,} rows, wangge from CSV: "
          f"{figures['raw-registry'] / figures['wangge']:.1f}× the time of the raw load into "
          f"the person table ({figures['raw'] / figures['wangge']:.0f}× a bare table's; its "
          f"lookups and writes alone "
          f"{figures['raw-registry'] / figures['wangge-writes']:.1f}×); "
          f"{figures['wangge'] / figures['import-export']:.0f}× django-import-export's rate "
          f"(from xlsx: {figures['wangge-xlsx'] / figures['import-export-xlsx']:.0f}×)")


if __name__ == "__main__":
    main()
