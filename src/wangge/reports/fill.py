"""A department's own blank form, filled from the registry (`wangge fill`, the reports page).

The form is read as it is: its title rows, merged cells and column widths are kept, and each
header is recognised in the department's own wording (the import's header synonyms, the
populations' labels and other headers, and ``FORM_HEADERS`` below). Which persons it lists:
``--population`` when given, else the populations its recognised columns belong to
(``inferred_population``). The filled form is written like any report (reports.export), so
masking, scope and the access log are the same; a recognised form can be kept as a report
template (``form_template``), its title rows included, so next month is one click.
"""

import json
import os
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
from django.conf import settings
from django.core import signing
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from wangge.access.models import User
from wangge.auditlog.models import Kind
from wangge.auditlog.services import AccessLogUnavailableError, access_record, unmasked_fields
from wangge.foundation.actors import Actor
from wangge.populations.models import FieldKind, PopulationField
from wangge.spreadsheets import (
    PERSON_HEADERS,
    UnreadableFileError,
    cell_text,
    header_key,
    read_table,
    sheet_part,
)
from wangge.spreadsheets.limits import Bounds, archive_checked

from .export import write_xlsx
from .fields import ReportField, person_fields, population_errors
from .models import ReportTemplate
from .selectors import masked_for, report_rows

# The import's person headers are read as the report field of the same name (the grid's
# code column is the grid's name in a form).
_FROM_IMPORT = {name: names for name, names in PERSON_HEADERS.items() if name != "grid_code"}

# Department wording beyond the import's: what forms call the fields a report can fill.
# Looked up before the populations' labels, so a column the registry fills itself (the place
# an ID was issued) wins over one collected by hand.
FORM_HEADERS: dict[str, tuple[str, ...]] = {
    "row_number": ("序号", "编号", "序", "no", "number"),
    "name": ("姓名", "居民姓名", "人员姓名", "老人姓名", "残疾人姓名", "患者姓名", "承租人姓名",
             "承租人", "租住人员姓名", "儿童姓名", "流动人口姓名"),
    "id_number": ("公民身份号码", "身份证号", "身份证号码", "证件号码", "身份证件号码",
                  "居民身份证号码", "身份证件号"),
    "phone": ("联系电话", "手机号码", "手机号", "本人电话", "本人联系电话", "联系方式",
              "移动电话"),
    "birth_date": ("出生日期", "出生年月", "出生年月日"),
    "age": ("年龄", "周岁", "实足年龄"),
    "registered_place": ("户籍地", "户籍所在地", "籍贯"),
    "address": ("现居住地址", "现住址", "现住地址", "居住地址", "现居住地", "家庭住址",
                "家庭地址", "实际居住地址", "住址", "房屋地址", "出租房屋地址", "房屋坐落",
                "房屋坐落地址"),
    "community": ("所属社区", "社区", "社区名称", "社区（村）", "村（社区）"),
    "grid": ("所属网格", "网格", "网格名称"),
    "street": ("所属街道", "街道", "街道（乡镇）", "乡镇（街道）"),
    "residence_type": ("人口类型", "人员类型", "居住类型"),
    "registered_on": ("登记日期", "登记时间"),
    "landlord": ("房东姓名", "房东", "出租人", "出租人姓名", "房主姓名", "房主", "产权人",
                 "产权人姓名", "业主姓名"),
    "landlord_phone": ("房东电话", "房东联系电话", "房东手机", "出租人电话", "出租人联系电话",
                       "房主电话", "产权人电话", "业主电话"),
    "lease_start": ("租赁开始日期", "租赁起始日期", "起租日期", "租期开始"),
    "lease_end": ("租赁结束日期", "租赁截止日期", "租赁到期日期", "到期日期", "租期结束"),
    "lease_period": ("租赁起止日期", "租赁期限", "租期", "租赁起止时间"),
    "floor_area": ("房屋面积", "面积", "建筑面积", "住房面积", "使用面积", "出租面积"),
    "occupants": ("居住人数", "居住人口", "同住人数", "实住人数", "租住人数"),
    "rented": ("是否出租", "出租情况"),
    "has_lift": ("有无电梯", "是否有电梯", "电梯"),
}

# The field a template's column names for a header the form had and nobody recognised: not
# a field, so the gap report lists the column as not held.
UNRECOGNISED = "unrecognised"
SIGNING_SALT = "wangge.reports.fill"
SIGNED_FOR_SECONDS = 24 * 3600


class Reason:
    """Why a column of a filled form holds nothing a department can use."""

    NOT_RECOGNISED = gettext_lazy("not recognised")
    NO_VALUE = gettext_lazy("the registry holds no value for any row")
    MASKED = gettext_lazy("masked for your role")


@dataclass
class FormColumn:
    header: str
    field: str | None  # the report field recognised, or None
    filled: int = 0  # non-empty cells written
    reason: str = ""  # why it could not be filled (empty when it was)


@dataclass
class Form:
    """A department's form as read: its layout (reports.models.ReportTemplate.form_layout),
    its columns in order, and the persons it covers."""

    name: str
    layout: dict[str, Any]
    columns: list[FormColumn]
    population: dict[str, Any] = field(default_factory=dict)
    title: str = ""  # the text of the title rows, for a template's name

    def as_template(self, **fields: Any) -> ReportTemplate:
        known = person_fields()
        return ReportTemplate(
            population=self.population, form_layout=self.layout, **fields,
            columns=[{"header": column.header, "field": column.field or UNRECOGNISED,
                      "format": known[column.field].format if column.field in known
                      else "text"} for column in self.columns])


@dataclass
class Filled:
    rows: int
    columns: list[FormColumn]

    def as_json(self) -> dict[str, Any]:
        return {"rows": self.rows, "columns": [
            {"header": column.header, "field": column.field, "filled": column.filled}
            for column in self.columns]}


# -- Reading the form --------------------------------------------------------------------


def form_checked(path: Path) -> None:
    """Refuse a file that is not a form to fill before it is opened: too large, not an xlsx
    (an xls, or encrypted: both are OLE files, not zips), too many sheets, or a sheet whose
    declared size is beyond the bounds."""
    size = path.stat().st_size
    if size > settings.WANGGE_FORM_MAX_MB << 20:
        raise UnreadableFileError(_("%(file)s is %(size)d MB; a form to fill may be at most "
                                    "%(limit)d MB.") % {"file": path.name, "size": size >> 20,
                                                       "limit": settings.WANGGE_FORM_MAX_MB})
    if not zipfile.is_zipfile(path):
        raise UnreadableFileError(_(
            "%(file)s is not an Excel workbook (.xlsx). An .xls or a workbook protected by a "
            "password cannot be filled: open it in Excel and save it as .xlsx without a "
            "password.") % {"file": path.name})
    bounds = Bounds.from_settings()
    archive_checked(path, Bounds(uncompressed=min(bounds.uncompressed, 16 * size + (8 << 20)),
                                 ratio=bounds.ratio, rows=bounds.rows,
                                 columns=bounds.columns, cell_chars=bounds.cell_chars))
    try:
        with zipfile.ZipFile(path) as archive:
            workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
            sheets = list(workbook.iter(
                "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}sheet"))
            part = sheet_part(archive, None)
            head = archive.open(part).read(4096).decode("utf-8", "ignore") if part else ""
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, OSError) as error:
        raise UnreadableFileError(_("%(file)s is not a readable Excel workbook (%(error)s).")
                                  % {"file": path.name, "error": error}) from error
    if len(sheets) > settings.WANGGE_FORM_MAX_SHEETS:
        raise UnreadableFileError(_("%(file)s has %(count)d sheets; a form may have at most "
                                    "%(limit)d.") % {"file": path.name, "count": len(sheets),
                                                    "limit": settings.WANGGE_FORM_MAX_SHEETS})
    if (start := head.find('<dimension ref="')) >= 0:
        reference = head[start + 16:head.find('"', start + 16)]
        _size_checked(path.name, reference.split(":")[-1])


def _size_checked(name: str, last_cell: str) -> None:
    try:
        letters, row = coordinate_from_string(last_cell)
        columns = column_index_from_string(letters)
    except ValueError:
        return
    if row > settings.WANGGE_FORM_MAX_ROWS or columns > settings.WANGGE_FORM_MAX_COLUMNS:
        raise UnreadableFileError(_(
            "%(file)s reaches row %(row)d and column %(column)d; a form to fill may have at "
            "most %(rows)d rows and %(columns)d columns (send the blank form, not a list).")
            % {"file": name, "row": row, "column": columns,
               "rows": settings.WANGGE_FORM_MAX_ROWS,
               "columns": settings.WANGGE_FORM_MAX_COLUMNS})


class Recogniser:
    """Which report field a header names: ``FORM_HEADERS`` and the import's synonyms first,
    then the populations' labels and other headers (a header several populations use, such
    as 监护人, names a field of each; the form's population decides)."""

    def __init__(self) -> None:
        self.fields = person_fields()
        self.base: dict[str, str] = {}
        for table in (FORM_HEADERS, _FROM_IMPORT):
            for name, names in table.items():
                for text in (*names, name):
                    self.base.setdefault(header_key(text), name)
        self.by_population: dict[str, list[str]] = {}
        population_fields = PopulationField.objects.select_related("population").order_by(
            "population__key", "position", "pk")
        for population_field in population_fields:
            name = f"{population_field.population.key}.{population_field.key}"
            for text in (population_field.label, *population_field.synonyms.splitlines()):
                if key := header_key(text):
                    named = self.by_population.setdefault(key, [])
                    if name not in named:
                        named.append(name)
                    if population_field.kind == FieldKind.PERSON:
                        # The person's phone, as forms head it beside the name.
                        for suffix in ("电话", "联系电话", "手机", "手机号码"):
                            phones = self.by_population.setdefault(key + suffix, [])
                            if f"{name}.phone" not in phones:
                                phones.append(f"{name}.phone")

    def candidates(self, header: str) -> list[str]:
        key = header_key(header)
        if not key:
            return []
        if key in self.base:
            return [self.base[key]]
        return self.by_population.get(key, [])

    def is_header(self, text: str) -> bool:
        return bool(self.candidates(text))


def form_read(path: str | Path, *, population: dict[str, Any] | None = None) -> Form:
    """Read a department's blank form: its header row (found below its title rows as an
    import finds it), its layout, each column recognised. ``population`` (report filters)
    says whom it covers; without it, ``inferred_population`` decides. UnreadableFileError
    says what is wrong with a file that cannot be filled."""
    path = Path(path)
    form_checked(path)
    recogniser = Recogniser()
    table = read_table(path, is_header=recogniser.is_header)
    header_row = table.header_row
    try:
        workbook = openpyxl.load_workbook(path, data_only=True)
    except Exception as error:  # openpyxl, zipfile and the XML parser each raise their own
        raise UnreadableFileError(_("%(file)s is not a readable Excel workbook (%(error)s).")
                                  % {"file": path.name, "error": error}) from error
    sheet = workbook.worksheets[0]
    if sheet.max_row > settings.WANGGE_FORM_MAX_ROWS or (
            sheet.max_column > settings.WANGGE_FORM_MAX_COLUMNS):
        _size_checked(path.name, f"{openpyxl.utils.get_column_letter(sheet.max_column)}"
                                 f"{sheet.max_row}")
    width = len(table.headers)
    titles = [[cell_text(sheet.cell(row, column).value) for column in range(1, width + 1)]
              for row in range(1, header_row)]
    for cells in titles:
        while cells and not cells[-1]:
            cells.pop()
    merged = [str(cells) for cells in sheet.merged_cells.ranges if cells.max_row < header_row]
    letters = [openpyxl.utils.get_column_letter(column) for column in range(1, width + 1)]
    layout = {
        "sheet": sheet.title,
        "rows": titles,
        "merged": merged,
        "widths": [round(sheet.column_dimensions[letter].width, 2)
                   if sheet.column_dimensions[letter].customWidth else None
                   for letter in letters],
        "heights": [sheet.row_dimensions[row].height for row in range(1, header_row)],
    }
    workbook.close()
    headers = _unique(table.headers)
    candidates = [recogniser.candidates(header) for header in headers]
    title = "".join(text for cells in titles for text in cells)
    if population is None:
        population = inferred_population(candidates, title)
    chosen = set(population.get("populations", [])) | {
        name.partition(".")[0] for name in population.get("values", {})}
    columns = [FormColumn(header, _chosen(names, chosen))
               for header, names in zip(headers, candidates, strict=True)]
    return Form(name=path.name, layout=layout, columns=columns, population=population,
                title=title)


def _unique(headers: list[str]) -> list[str]:
    """Headers as written, a repeated one numbered (a template's headers are its keys)."""
    seen: dict[str, int] = {}
    unique = []
    for header in headers:
        seen[header] = seen.get(header, 0) + 1
        unique.append(header if seen[header] == 1 or not header
                      else f"{header}（{seen[header]}）")
    return unique


def _chosen(names: list[str], populations: set[str]) -> str | None:
    """The field a header names: the only one, or the one of the form's population."""
    if len(names) <= 1:
        return names[0] if names else None
    return next((name for name in names if name.partition(".")[0] in populations), names[0])


def inferred_population(candidates: list[list[str]], title: str) -> dict[str, Any]:
    """Whom a form covers when nobody said, from its columns and title:

    - the populations its columns unambiguously name a field of (a form with 残疾类别 covers
      the people with disabilities; one with 病种 the chronically ill), any of them;
    - within those, a choice named in the title (独居老人花名册: living alone; 高血压患者随访
      名单: hypertension) narrows it to that choice;
    - a form naming no population but a dwelling's lease or landlord covers the residents of
      dwellings rented out (出租房屋登记表);
    - otherwise every resident in the scope.
    """
    populations = sorted({names[0].partition(".")[0] for names in candidates
                          if len({name.partition(".")[0] for name in names}) == 1
                          and "." in names[0]})
    if not populations:
        dwelling = {"landlord", "landlord_phone", "lease_start", "lease_end", "lease_period",
                    "rented"}
        if any(names and names[0] in dwelling for names in candidates):
            return {"rented": True}
        return {}
    population: dict[str, Any] = {"populations": populations}
    values = {}
    for population_field in PopulationField.objects.filter(
            population__key__in=populations, kind=FieldKind.CHOICE).select_related("population"):
        for code, label in population_field.choice_list():
            if len(label) >= 2 and label in title:
                values[f"{population_field.population.key}.{population_field.key}"] = code
                break
    if values:
        population["values"] = values
    return population


def population_given(text: str) -> dict[str, Any]:
    """``--population`` as given: report filters as JSON, or population codes separated by
    commas (``older_people,disability``). ValueError with the problems."""
    text = text.strip()
    if text.startswith("{"):
        try:
            population = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(_("--population is not valid JSON: %(error)s")
                             % {"error": error}) from error
    else:
        population = {"populations": [code.strip() for code in text.split(",") if code.strip()]}
    if errors := population_errors(population):
        raise ValueError(" ".join(errors))
    return population


def form_signed(form: Form, *, user_id: int) -> str:
    """The form as recognised, signed for a page to send back (the download, saving it as a
    template) without keeping the upload: the filled form is written from it alone."""
    return signing.dumps({"user": user_id, "name": form.name, "layout": form.layout,
                          "population": form.population, "title": form.title,
                          "columns": [[column.header, column.field] for column in form.columns]},
                         salt=SIGNING_SALT, compress=True)


def form_unsigned(text: str, *, user_id: int) -> Form:
    """The form ``form_signed`` gave this user; BadSignature for anything else (another
    user's, altered, or older than a day)."""
    data = signing.loads(text, salt=SIGNING_SALT, max_age=SIGNED_FOR_SECONDS)
    if data.get("user") != user_id:
        raise signing.BadSignature("another user's form")
    return Form(name=data["name"], layout=data["layout"], population=data["population"],
                title=data["title"],
                columns=[FormColumn(header, field) for header, field in data["columns"]])


# -- Filling it ----------------------------------------------------------------------------


def form_template(form: Form) -> ReportTemplate:
    """The form as an unsaved report template (the rows are read through it)."""
    return form.as_template(slug="form", name=form.layout.get("sheet") or form.name,
                            department="")


def form_filled(form: Form, *, scope: str, user: User | None, out: str | Path | None
                ) -> Filled:
    """Fill ``form`` with the persons of ``scope`` as ``user`` may see them (None: the
    command line), writing the filled form to ``out`` (None: only count). Every column is
    listed with the cells filled and, when it holds nothing usable, the reason."""
    template = form_template(form)
    known = person_fields()
    counts = [0] * len(form.columns)

    def counted(rows: Iterable[list[Any]]) -> Iterable[list[Any]]:
        for values in rows:
            for index, value in enumerate(values):
                if value is not None and value != "":
                    counts[index] += 1
            yield values

    rows = counted(report_rows(template, scope=scope, user=user))
    if out is None:
        total = sum(1 for _values in rows)
    else:
        total = write_xlsx(out, sheet_name=form.layout.get("sheet") or form.name, rows=rows,
                           headers=[column.header for column in form.columns],
                           kinds=[column["format"] for column in template.columns],
                           layout=form.layout)
    columns = []
    for column, filled in zip(form.columns, counts, strict=True):
        report_field = known.get(column.field) if column.field else None
        columns.append(FormColumn(column.header, column.field, filled,
                                  str(_reason(report_field, filled, user))))
    return Filled(total, columns)


def _reason(report_field: ReportField | None, filled: int, user: User | None) -> str:
    if report_field is None:
        return str(Reason.NOT_RECOGNISED)
    if masked_for(report_field, user):
        return str(Reason.MASKED)
    if filled == 0:
        return str(Reason.NO_VALUE)
    return ""


def form_export(form: Form, *, scope: str, user: User | None, by: Actor, out: str | Path,
                purpose: str, request: HttpRequest | None = None) -> Filled:
    """Fill ``form`` into ``out`` and record the export in the access log (who, which form,
    for which scope, how many rows, why), as every report download is; when it cannot be
    recorded the file is removed and AccessLogUnavailableError raised."""
    filled = form_filled(form, scope=scope, user=user, out=out)
    try:
        access_record(by=by, kind=Kind.EXPORT, request=request, count=filled.rows,
                      fields=unmasked_fields(by, revealed=True),
                      target=f"form {form.name} {scope} xlsx", purpose=purpose,
                      required=True)
    except AccessLogUnavailableError:
        os.unlink(out)
        raise
    return filled
