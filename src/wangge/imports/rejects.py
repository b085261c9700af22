"""The rejects workbook: each rejected row as it was in the file, with the reasons."""

from pathlib import Path

import xlsxwriter
from django.utils.translation import gettext as _

from wangge.spreadsheets import cell_text

from .services import ImportSummary


def write_rejects(summary: ImportSummary, path: str | Path) -> None:
    """One sheet: the file's header plus a reason column, then every rejected row. Cells are
    written as text or numbers, never as formulas, so what was rejected can be fixed and
    imported again."""
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
    workbook.close()
