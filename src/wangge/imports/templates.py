"""A workbook to start a department's list from, one per kind of import: the header row in
the words the importer reads, drop-down lists for the choice columns, an example row marked
as such (an upload that still holds it is refused on that row), and a notes sheet saying
what each column takes. `wangge import-template`, the upload page and the API serve it."""

import io
from typing import Any

import xlsxwriter
from django.http import FileResponse, Http404
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from xlsxwriter.utility import xl_col_to_name

from wangge.spreadsheets import usual_header

from .services import import_kind

# Cells in the sheet that take the drop-down lists and the text format (an ID typed into a
# number cell loses its last digits).
TEMPLATE_ROWS = 5000
# Choice columns that take several values, separated by 、 or commas: the drop-down offers
# one and lets any other text through.
SEVERAL = {"vulnerable_tags", "served_grid_codes"}

NOTES: dict[str, Promise] = {
    "name": gettext_lazy("The name, as on the document or the sign."),
    "document_type": gettext_lazy("Leave empty for a resident ID card."),
    "id_number": gettext_lazy("18 characters for a resident ID; keep the column as text so "
                              "Excel does not turn it into a number."),
    "sex": gettext_lazy("Read from a resident ID when empty."),
    "birth_date": gettext_lazy("Such as 1980-01-31; read from a resident ID when empty."),
    "ethnicity": gettext_lazy("Such as 汉族."),
    "phone": gettext_lazy("A mobile or landline number."),
    "address": gettext_lazy("The full address, such as 香港路188号 or 同心苑1栋1单元101室."),
    "grid_code": gettext_lazy("The 15-digit code of the grid (or the 12-digit code of the "
                              "community); not needed when the dwelling or the point is given."),
    "residence_type": gettext_lazy("Registered, floating, renting or away."),
    "occupation": gettext_lazy("Free text."),
    "health_status": gettext_lazy("One of the listed states."),
    "vulnerable_tags": gettext_lazy("One or more of the listed groups, separated by 、."),
    "household_number": gettext_lazy("The household's number, the same for each member."),
    "relationship": gettext_lazy("The person's relationship to the head of the household."),
    "building": gettext_lazy("The building's name as registered, such as 1栋."),
    "unit": gettext_lazy("The unit number, a whole number from 1."),
    "floor": gettext_lazy("The floor; read from the room number (501 is on floor 5) when "
                          "empty."),
    "room": gettext_lazy("The room number, such as 501."),
    "longitude": gettext_lazy("In decimal degrees (WGS 84), such as 114.305."),
    "latitude": gettext_lazy("In decimal degrees (WGS 84), such as 30.593."),
    "units": gettext_lazy("How many units the building has."),
    "floors": gettext_lazy("How many floors the building has."),
    "kind": gettext_lazy("One of the listed kinds."),
    "capacity": gettext_lazy("How many people it holds or beds it has."),
    "credit_code": gettext_lazy("The 18-character unified social credit code; required for "
                                "an enterprise."),
    "served_grid_codes": gettext_lazy("The grids it serves: 15-digit codes separated by 、."),
    "contact_name": gettext_lazy("Who to contact."),
    "contact_phone": gettext_lazy("The contact's phone number."),
}

EXAMPLE_NOTE = gettext_lazy("Row 2 is an example: write your first record over it, or delete "
                            "it. A file that still holds it is refused on that row.")


def import_template(kind: str) -> bytes:
    """The template workbook of ``kind`` (a key of KINDS), in the active language."""
    found = import_kind(kind)
    if found is None:
        raise Http404
    handler: Any = found[0]  # a kind class: headers, choices, required, example
    fields = list(handler.headers)
    choices = {name: choices for name, (choices, _words) in handler.choices.items()}
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False,
                                            "strings_to_formulas": False})
    bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    required = workbook.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1})
    text = workbook.add_format({"num_format": "@"})
    example = workbook.add_format({"num_format": "@", "italic": True, "font_color": "#808080"})
    sheet = workbook.add_worksheet(_("Rows"))
    lists = workbook.add_worksheet(_("Lists"))
    notes = workbook.add_worksheet(_("Notes"))
    lists.hide()
    sheet.freeze_panes(1, 0)
    for column, name in enumerate(fields):
        header = usual_header(handler.headers, name)
        sheet.set_column(column, column, max(12, 2 * len(header) + 2), text)
        sheet.write_string(0, column, header,
                           required if name in handler.required_columns else bold)
        value = handler.example.get(name, "")
        if name in choices and value:
            value = str(choices[name](value).label)
        sheet.write_string(1, column, value, example)
        if name in choices:
            labels = [str(label) for label in choices[name].labels]
            letter = xl_col_to_name(column, col_abs=True)
            lists.write_column(0, column, labels)
            sheet.data_validation(1, column, TEMPLATE_ROWS, column, {
                "validate": "list",
                "source": f"=Lists!{letter}$1:{letter}${len(labels)}",
                "show_error": name not in SEVERAL,
                "error_message": _("Choose a value from the list."),
            })
    sheet.write_comment(1, 0, str(EXAMPLE_NOTE), {"x_scale": 2, "y_scale": 1.5})
    _notes(notes, handler, fields, choices, bold)
    workbook.close()
    return buffer.getvalue()



def _notes(notes: xlsxwriter.worksheet.Worksheet, handler: Any, fields: list[str],
           choices: dict, bold: xlsxwriter.format.Format) -> None:
    notes.set_column(0, 0, 18)
    notes.set_column(1, 1, 10)
    notes.set_column(2, 3, 60)
    notes.write_string(0, 0, str(EXAMPLE_NOTE))
    notes.write_row(2, 0, [_("Column"), _("Required"), _("What to write"), _("Values")], bold)
    for line, name in enumerate(fields, start=3):
        notes.write_string(line, 0, usual_header(handler.headers, name))
        notes.write_string(line, 1, _("yes") if name in handler.required_columns else "")
        notes.write_string(line, 2, str(NOTES.get(name, "")))
        if name in choices:
            notes.write_string(line, 3, "、".join(str(label) for label in choices[name].labels))


def template_filename(kind: str) -> str:
    return f"wangge-{kind}-template.xlsx"


def template_download(kind: str) -> FileResponse:
    """The template of ``kind`` as a download (the API and the upload page); 404 for a kind
    there is none of."""
    if import_kind(kind) is None:
        raise Http404
    return FileResponse(io.BytesIO(import_template(kind)), as_attachment=True,
                        filename=template_filename(kind))
