"""API for report templates: list them, download a report, see its gaps.

``scope`` is a division or grid code inside the caller's jurisdiction; any other code is a
404, like a template that does not exist. Values are masked as the caller's role sees them.
"""

from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from wangge.auditlog.models import Kind, Purpose
from wangge.auditlog.services import access_record, purpose_text
from wangge.foundation.api_support import (
    CSV,
    XLSX,
    also_answers,
    caller,
    purpose_header,
    stated_purpose,
)

from .export import FILE_FORMATS, report_download
from .models import ReportTemplate
from .selectors import (
    gap_report,
    not_held,
    report_template_in_scope,
    report_templates_visible_to,
)

router = Router(tags=["reports"])
EXPORT_PURPOSE = ("Why the report is exported (required; kept in the access log with who, "
                  "when, from where and how many rows). Percent-encode non-ASCII text (UTF-8).")


class ReportTemplateOut(Schema):
    slug: str
    name: str
    department: str
    description: str
    source: str = Field(description="Empty: the registry's persons; else the records of "
                                    "another kind, one row each (measures: lawful measures)")
    population: dict
    columns: list[dict]
    not_held: list[str]

    @staticmethod
    def resolve_not_held(template: ReportTemplate) -> list[str]:
        return not_held(template)


class Scope(Schema):
    scope: str = Field(pattern=r"^\d{12}(\d{3})?$",
                       description="Division (12 digits) or grid (15 digits) code")


class ExportQuery(Scope):
    format: Literal[FILE_FORMATS] = "xlsx"


@router.get("/report-templates", response=list[ReportTemplateOut])
def report_templates(request: HttpRequest) -> Any:
    return report_templates_visible_to(caller(request))


@router.get("/report-templates/{slug}/export",
            openapi_extra=also_answers(503, files=(XLSX, CSV)))
def report_export(request: HttpRequest, slug: str, query: Query[ExportQuery],
                  x_purpose: str = purpose_header(EXPORT_PURPOSE, required=True)) -> FileResponse:
    """The report for ``scope`` as an xlsx or CSV (UTF-8 with BOM) download. Needs the
    ``X-Purpose`` header (422 without it); the export is logged with its row count."""
    user = caller(request)
    template = report_template_in_scope(user, slug, query.scope)
    purpose = stated_purpose(request)
    if not purpose:
        raise ValidationError({"X-Purpose": [_("Say why you export this report.")]})
    return report_download(template, scope=query.scope, user=user, file_format=query.format,
                           purpose=purpose, request=request)


@router.get("/report-templates/{slug}/gaps")
def report_gaps(request: HttpRequest, slug: str, query: Query[Scope]) -> dict:
    """How complete the registry is for the report: ``total`` persons covered, ``filled`` per
    column, the same per grid in ``grids``, the columns the registry does not hold, and
    ``tasks``: per grid, its grid workers and each person missing values they can collect."""
    user = caller(request)
    template = report_template_in_scope(user, slug, query.scope)
    report = gap_report(template, scope=query.scope, user=user)
    listed = [person["id"] for task in report["tasks"] for person in task["persons"]]
    if listed:
        access_record(by=user, kind=Kind.LIST, request=request, record_ids=listed,
                      target=f"gaps {slug} {query.scope}",
                      purpose=purpose_text(Purpose.CORRECTION))
    return report
