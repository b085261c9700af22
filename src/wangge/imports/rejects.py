"""The rejects workbook: each rejected row as it was in the file, with the reasons, and a
sheet of the warnings on rows that were written."""

from pathlib import Path

import xlsxwriter
from django.utils.translation import gettext as _

from wangge.spreadsheets import cell_text

from .services import ImportSummary


def write_rejects(summary: ImportSummary, path: str | Path) -> None:
    """The rejected rows: the file's header plus a reason column, then every rejected row.
    Cells are written as text or numbers, never as formulas, so what was rejected can be
    fixed and imported again. Then, when rows were warned about, a Warnings sheet: row,
    column and what to check."""
    by_row: dict[int, list] = {}
    reasons: dict[int, list[str]] = {}
    for rejection in summary.rejections:
        by_row[rejection.row] = rejection.cells
        reasons.setdefault(rejection.row, []).append(f"{rejection.column}: {rejection.reason}")
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True,
                                               "strings_to_formulas": False,
                                               "strings_to_numbers": False})
    sheet = workbook.add_worksheet(_("Rejected rows"))
    header = workbook.add_format({"bold": True})
    sheet.write_row(0, 0, [_("Row in file"), *summary.headers, _("Reason")], header)
    width = len(summary.headers)
    for line, number in enumerate(sorted(by_row), start=1):
        cells = list(by_row[number])[:width]
        cells += [""] * (width - len(cells))
        sheet.write_number(line, 0, number)
        for column, cell in enumerate(cells, start=1):
            if isinstance(cell, int | float) and not isinstance(cell, bool):
                sheet.write_number(line, column, cell)
            else:
                sheet.write_string(line, column, cell_text(cell))
        sheet.write_string(line, width + 1, "；".join(reasons[number]))
    if summary.warnings:
        warnings = workbook.add_worksheet(_("Warnings"))
        warnings.write_row(0, 0, [_("Row in file"), _("Column"), _("Warning")], header)
        for line, warning in enumerate(summary.warnings, start=1):
            warnings.write_number(line, 0, warning.row)
            warnings.write_string(line, 1, warning.column)
            warnings.write_string(line, 2, warning.reason)
    workbook.close()
