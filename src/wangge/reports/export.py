"""Writing a report: xlsx through xlsxwriter in constant memory, or CSV as UTF-8 with a BOM
so Excel opens it. Text cells that look like formulas are neutralised."""

import csv
import datetime
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import xlsxwriter
from django.http import FileResponse, HttpRequest
from openpyxl.utils import range_boundaries

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
    layout = template.form_layout or {}
    return write_xlsx(path, sheet_name=layout.get("sheet") or template.name, rows=rows,
                      headers=[column["header"] for column in template.columns],
                      kinds=[column.get("format", "text") for column in template.columns],
                      layout=layout)


def _zero_based(reference: str) -> tuple[int, int, int, int]:
    """``A1:H2`` as (first row, first column, last row, last column), counted from 0."""
    first_column, first, last_column, last = range_boundaries(reference)
    first, first_column = first or 1, first_column or 1
    return first - 1, first_column - 1, (last or first) - 1, (last_column or first_column) - 1


# Characters a sheet's name may not hold, and its longest length (Excel's rules).
_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


def write_xlsx(path: str | Path, *, sheet_name: str, headers: list[str], kinds: list[str],
               rows: Iterable[list[Any]], layout: dict[str, Any] | None = None) -> int:
    """Write ``rows`` under ``headers``; with a department's ``layout`` (a form saved as a
    template, or being filled: ``ReportTemplate.form_layout``) its title rows, merged cells,
    row heights and column widths come first, so the file is the department's own form.
    Returns the rows written. Text from the form and from the registry is neutralised."""
    layout = layout or {}
    titles: list[list[Any]] = layout.get("rows", [])
    merged = [_zero_based(reference) for reference in layout.get("merged", [])]
    # constant_memory writes row by row; a merge over several rows writes below its start.
    workbook = xlsxwriter.Workbook(str(path), {
        "constant_memory": not any(last > first for first, _c, last, _l in merged),
        "strings_to_formulas": False, "strings_to_numbers": False})
    sheet = workbook.add_worksheet(_SHEET_NAME.sub("_", sheet_name)[:31] or "Sheet1")
    framed = {"border": 1} if layout else {}
    title = workbook.add_format({"bold": True, "valign": "vcenter"})
    centred = workbook.add_format({"bold": True, "align": "center", "valign": "vcenter"})
    bold = workbook.add_format({"bold": True, "text_wrap": bool(layout), "align": "center",
                                "valign": "vcenter", **framed})
    formats = {"date": workbook.add_format({"num_format": "yyyy-mm-dd", **framed}),
               "text": workbook.add_format({"num_format": "@", **framed}),
               "number": workbook.add_format({"num_format": "General", **framed})}
    widths = layout.get("widths") or []
    for index, header in enumerate(headers):
        width = widths[index] if index < len(widths) and widths[index] else None
        sheet.set_column(index, index, width or max(10, 2 * len(header) + 2),
                         formats.get(kinds[index]))
    heights = layout.get("heights") or []
    for number, cells in enumerate(titles):
        if number < len(heights) and heights[number]:
            sheet.set_row(number, heights[number])
        covered: set[int] = set()
        for first, first_column, last, last_column in merged:
            if first == number:
                value = cells[first_column] if first_column < len(cells) else ""
                sheet.merge_range(first, first_column, last, last_column,
                                  neutralised(cell_text(value)), centred)
            if first <= number <= last:
                covered.update(range(first_column, last_column + 1))
        for column, value in enumerate(cells):
            if column not in covered and cell_text(value):
                sheet.write_string(number, column, neutralised(cell_text(value)), title)
    top = len(titles)
    sheet.write_row(top, 0, [neutralised(cell_text(header)) for header in headers], bold)
    count = 0
    for count, values in enumerate(rows, start=1):
        for index, value in enumerate(values):
            kind = kinds[index]
            if value in (None, ""):
                if layout:
                    sheet.write_blank(top + count, index, None, formats.get(kind))
                continue
            if kind == "date" and isinstance(value, datetime.date):
                sheet.write_datetime(top + count, index, value, formats["date"])
            elif kind == "number" and isinstance(value, int | float) and not isinstance(
                    value, bool):
                sheet.write_number(top + count, index, value, formats["number"])
            else:
                # Text even when it looks like a number: IDs keep every digit.
                sheet.write_string(top + count, index, neutralised(cell_text(value)),
                                   formats["text"])
    workbook.close()
    return count
