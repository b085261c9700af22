"""Import N person rows from CSV and from xlsx, and compare, in the same run, with the raw
bulk load of the same rows and with django-import-export importing the same file.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench wangge bench import --rows 1000000

Each measurement runs in its own process (peak memory is its own) against an empty person
table, so point DATABASE_URL at a scratch database. django-import-export is slow; it imports
at most --baseline-rows rows and its rate is reported for those. The generated files are kept
in $WANGGE_VAR_DIR and reused.
"""

import argparse
import csv
import datetime
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

import django

GRID = "110101001001001"
STEPS = ["raw", "wangge", "wangge-xlsx", "import-export"]
HEADER = ["姓名", "身份证号", "手机号", "网格编码", "人口类型", "职业"]


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wangge.settings")
    django.setup()


def generate(path: Path, rows: int) -> None:
    """Valid, distinct residents in one grid, written as the UTF-8 CSV departments send and
    as an xlsx workbook (beside it, same rows)."""
    import xlsxwriter

    from wangge.demo.identity import ResidentIdIssuer, given_name, mobile, surname

    rng, issuer = random.Random(7), ResidentIdIssuer()
    workbook = xlsxwriter.Workbook(str(path.with_suffix(".xlsx")), {
        "constant_memory": True, "strings_to_numbers": False})
    sheet = workbook.add_worksheet("居民")
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
            sheet.write_row(number, 0, row)
    workbook.close()


def prepare_database() -> None:
    from django.core.management import call_command
    from django.db import connection

    from wangge.divisions.models import Division, Grid
    from wangge.divisions.services import division_create, grid_create
    from wangge.people.models import Person

    call_command("migrate", verbosity=0)
    for code, name in [("110000000000", "北京市"), ("110100000000", "市辖区"),
                       ("110101000000", "东城区"), ("110101001000", "东华门街道"),
                       ("110101001001", "多福巷社区")]:
        if not Division.objects.filter(code=code).exists():
            division_create(code=code, name=name)
    if not Grid.objects.filter(code=GRID).exists():
        grid_create(code=GRID, name="多福巷一网格", boundary={"type": "Polygon", "coordinates": [
            [[116.40, 39.91], [116.41, 39.91], [116.41, 39.92], [116.40, 39.92],
             [116.40, 39.91]]]})
    # Plain SQL: the ORM's delete would load every record (and its memory would count).
    with connection.cursor() as cursor:
        for model in (Person.history.model, Person):
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE grid_code = %s", [GRID])


def measure_wangge(path: Path) -> int:
    from wangge.imports.services import import_file

    summary = import_file(kind="persons", path=path, by=None, department="bench")
    assert summary.rejected == 0, summary.rejections[:3]
    return summary.created


def measure_raw(path: Path) -> int:
    """The floor: the same rows parsed by csv and bulk-loaded into a bare table, no checks."""
    from django.db import connection, transaction

    rows = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_person")
        cursor.execute("CREATE TABLE bench_raw_person (name varchar(50), id_number varchar(20),"
                       " phone varchar(20), grid_code varchar(15), residence_type varchar(12),"
                       " occupation varchar(50))")
        with path.open(encoding="utf-8", newline="") as file:
            reader = csv.reader(file)
            next(reader)
            if connection.vendor == "postgresql":
                with cursor.cursor.copy("COPY bench_raw_person FROM STDIN") as copy:
                    for row in reader:
                        copy.write_row(row)
                        rows += 1
            else:
                batch = []
                for row in reader:
                    batch.append(row)
                    if len(batch) == 10_000:
                        cursor.executemany("INSERT INTO bench_raw_person VALUES "
                                           "(%s, %s, %s, %s, %s, %s)", batch)
                        rows += len(batch)
                        batch = []
                cursor.executemany("INSERT INTO bench_raw_person VALUES (%s, %s, %s, %s, %s, %s)",
                                   batch)
                rows += len(batch)
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
        phone = fields.Field(attribute="phone", column_name="手机号")
        grid_code = fields.Field(attribute="grid_code", column_name="网格编码")
        occupation = fields.Field(attribute="occupation", column_name="职业")

        class Meta:
            model = Person
            import_id_fields = ("id_number",)
            fields = ("name", "id_number", "phone", "grid_code", "occupation")

    with path.open(encoding="utf-8") as file:
        lines = [next(file) for _ in range(limit + 1)]
    dataset = tablib.Dataset().load("".join(lines), format="csv")
    result = PersonResource().import_data(dataset, dry_run=False, raise_errors=True)
    return result.totals["new"]


def child(step: str, path: Path, limit: int) -> None:
    setup()
    started = time.monotonic()
    if step == "wangge":
        rows = measure_wangge(path)
    elif step == "wangge-xlsx":
        rows = measure_wangge(path.with_suffix(".xlsx"))
    elif step == "raw":
        rows = measure_raw(path)
    else:
        rows = measure_import_export(path, limit)
    elapsed = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{rows} {elapsed:.3f} {peak:.0f}")


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
    setup()
    from django.db import connection

    path = Path(os.environ.get("WANGGE_VAR_DIR", "var")) / f"bench-persons-{args.rows}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.with_suffix(".xlsx").exists():
        generate(path, args.rows)
    figures = {}
    for step in STEPS:
        prepare_database()
        output = subprocess.run(
            [sys.executable, __file__, "--step", step, "--file", str(path),
             "--baseline-rows", str(min(args.baseline_rows, args.rows))],
            check=True, capture_output=True, text=True,
        ).stdout.split()
        rows, seconds, peak = int(output[0]), float(output[1]), int(output[2])
        figures[step] = rows / seconds
        print(f"  {step:>13}: {rows:>9,} rows in {seconds:7.1f} s = {rows / seconds:>9,.0f} "
              f"rows/s, peak RSS {peak} MiB")
    print(f"import[{connection.vendor}] {args.rows:,} rows: "
          f"{figures['raw'] / figures['wangge']:.1f}× the raw load's time (CSV), "
          f"{figures['wangge'] / figures['import-export']:.0f}× django-import-export's rate "
          f"({figures['wangge-xlsx'] / figures['import-export']:.0f}× from xlsx)")


if __name__ == "__main__":
    main()
