"""Writing a report: xlsx through xlsxwriter in constant memory, or CSV as UTF-8 with a BOM
so Excel opens it. Text cells that look like formulas are neutralised."""

import csv
import datetime
import os
import tempfile
from pathlib import Path
from typing import Any

import xlsxwriter
from django.http import FileResponse, HttpRequest

from wangge.access.models import User
from wangge.auditlog.models import Kind
from wangge.auditlog.services import access_record, unmasked_fields
from wangge.spreadsheets import cell_text, neutralised

from .models import ReportTemplate
from .selectors import report_rows

FORMATS = ("text", "date", "number")  # of a column's cells
FILE_FORMATS = ("xlsx", "csv")


def export_report(template: ReportTemplate, *, scope: str, user: User | None,
                  path: str | Path) -> int:
    """Write the report for ``scope`` to ``path`` (.xlsx or .csv); return the rows written."""
    rows = report_rows(template, scope=scope, user=user)
    if str(path).lower().endswith(".csv"):
        return _write_csv(template, rows, path)
    return _write_xlsx(template, rows, path)


def report_download(template: ReportTemplate, *, scope: str, user: User, file_format: str,
                    purpose: str, request: HttpRequest) -> FileResponse:
    """The report as a download named after the template and scope (``file_format`` is
    ``xlsx`` or ``csv``); written to a temporary file first, which goes when it is sent.
    The export is logged with its row count and ``purpose`` before it is sent, and is not
    sent when it cannot be logged (``AccessLogUnavailableError``)."""
    handle, path = tempfile.mkstemp(suffix=f".{file_format}")
    os.close(handle)
    try:
        count = export_report(template, scope=scope, user=user, path=path)
        access_record(by=user, kind=Kind.EXPORT, request=request, count=count,
                      fields=unmasked_fields(user, revealed=True),
                      target=f"report {template.slug} {scope} {file_format}",
                      purpose=purpose, required=True)
        file = Path(path).open("rb")  # noqa: SIM115 - FileResponse closes it once sent
    finally:
        os.unlink(path)  # the open file stays readable until it is closed
    return FileResponse(file, as_attachment=True,
                        filename=f"{template.name}-{scope}.{file_format}")


def _write_csv(template: ReportTemplate, rows: Any, path: str | Path) -> int:
    count = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow([neutralised(column["header"]) for column in template.columns])
        for values in rows:
            writer.writerow([neutralised(cell_text(value)) for value in values])
            count += 1
    return count


def _write_xlsx(template: ReportTemplate, rows: Any, path: str | Path) -> int:
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True,
                                               "strings_to_formulas": False,
                                               "strings_to_numbers": False})
    sheet = workbook.add_worksheet(template.name[:31])
    bold = workbook.add_format({"bold": True})
    formats = {"date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
               "text": workbook.add_format({"num_format": "@"}),
               "number": workbook.add_format({"num_format": "0"})}
    kinds = [column.get("format", "text") for column in template.columns]
    for index, column in enumerate(template.columns):
        sheet.set_column(index, index, max(10, 2 * len(column["header"]) + 2),
                         formats.get(kinds[index]))
    sheet.write_row(0, 0, [column["header"] for column in template.columns], bold)
    count = 0
    for count, values in enumerate(rows, start=1):
        for index, value in enumerate(values):
            kind = kinds[index]
            if value in (None, ""):
                continue
            if kind == "date" and isinstance(value, datetime.date):
                sheet.write_datetime(count, index, value, formats["date"])
            elif kind == "number" and isinstance(value, int | float):
                sheet.write_number(count, index, value, formats["number"])
            else:
                # Text even when it looks like a number: IDs keep every digit.
                sheet.write_string(count, index, cell_text(value), formats["text"])
    workbook.close()
    return count
