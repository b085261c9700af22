"""Report templates: the list, a template with its download form, and its gaps: how complete
the registry is for it, and for each grid worker the residents whose values are missing."""

import os
import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wangge.access.models import User
from wangge.auditlog.models import Kind, Purpose
from wangge.auditlog.services import AccessLogUnavailableError, access_record, purpose_text
from wangge.foundation.codes import Level, level_of
from wangge.foundation.forms import service_errors_shown
from wangge.foundation.permissions import Action, can, require
from wangge.foundation.requests import SignedInRequest
from wangge.reports.export import FILE_FORMATS, report_download
from wangge.reports.fill import (
    Form,
    form_export,
    form_filled,
    form_read,
    form_signed,
    form_unsigned,
)
from wangge.reports.models import ReportTemplate
from wangge.reports.selectors import (
    gap_tasks,
    not_held,
    places_under,
    report_areas,
    report_completeness,
    report_template_in_scope,
    report_templates_visible_to,
    scope_visible_to,
)
from wangge.reports.services import report_template_save
from wangge.spreadsheets import UnreadableFileError

from .forms import (
    FilledFormDownload,
    FormAsTemplate,
    FormToFill,
    PurposeForm,
    ReportDownloadForm,
)


@login_required
def reports(request: SignedInRequest) -> HttpResponse:
    templates = list(report_templates_visible_to(request.user))
    for template in templates:
        template.not_held = not_held(template)
    return render(request, "web/reports/list.html", {"templates": templates})


@login_required
def report(request: SignedInRequest, slug: str) -> HttpResponse:
    user = request.user
    template = get_object_or_404(report_templates_visible_to(user), slug=slug)
    areas = report_areas(user)
    form = ReportDownloadForm(areas=areas, initial={"scope": _home_scope(user, areas)})
    return render(request, "web/reports/template.html", {
        "template": template, "form": form, "not_held": not_held(template),
    })


@login_required
def export(request: SignedInRequest, slug: str) -> HttpResponse:
    """The download, once the user has said why (the export is logged with its count)."""
    user = request.user
    scope, file_format = request.GET.get("scope", ""), request.GET.get("format", "xlsx")
    template = report_template_in_scope(user, slug, scope)
    if file_format not in FILE_FORMATS:
        raise Http404
    purpose = PurposeForm(request.GET)
    form = ReportDownloadForm(request.GET, areas=report_areas(user))
    if purpose.is_valid():
        try:
            return report_download(template, scope=scope, user=user, file_format=file_format,
                                   purpose=purpose.stated_purpose(), request=request)
        except AccessLogUnavailableError as error:
            form.full_clean()
            form.add_error(None, error.message)
            status = 503
    else:
        form.full_clean()
        for field, errors in purpose.errors.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
        status = 400
    return render(request, "web/reports/template.html", {
        "template": template, "form": form, "not_held": not_held(template),
    }, status=status)


@login_required
def gaps(request: SignedInRequest, slug: str) -> HttpResponse:
    user = request.user
    areas = report_areas(user)
    scope = request.GET.get("scope") or _home_scope(user, areas)
    template = report_template_in_scope(user, slug, scope)
    completeness = report_completeness(template, scope=scope, user=user)
    tasks = gap_tasks(template, scope=scope, user=user)
    places = places_under(scope)
    task_lists = _task_lists(user, scope, tasks)
    response = render(request, "web/reports/gaps.html", {
        "template": template,
        "scope": scope,
        "scope_name": places.name(scope),
        "areas": areas,
        "completeness": completeness,
        "fields": _field_rows(template, completeness),
        "grids": _grid_rows(completeness, tasks, places.name),
        "tasks": task_lists,
        "with_gaps": sum(len(task["persons"]) for task in tasks),
        "may_edit": can(user, Action.EDIT_PEOPLE),
    })
    listed = [item["person"].pk for task in task_lists if task["shown"]
              for item in task["persons"]]
    if listed:
        access_record(by=user, kind=Kind.LIST, request=request, record_ids=listed,
                      target=f"gaps {template.slug} {scope}",
                      purpose=purpose_text(Purpose.CORRECTION))
    return response


def _home_scope(user: User, areas: list[tuple[str, str]]) -> str:
    """Where a report starts: the user's first jurisdiction (the first area for a superuser)."""
    jurisdiction = user.jurisdictions.order_by("code").first()
    if jurisdiction is not None:
        return jurisdiction.code
    return areas[0][0] if areas else ""


def _share(filled: int, total: int) -> int:
    return round(100 * filled / total) if total else 100


def _field_rows(template: ReportTemplate, completeness: dict) -> list[dict[str, Any]]:
    total = completeness["total"]
    return [
        {"header": header, "filled": filled, "missing": total - filled,
         "share": _share(filled, total), "held": header not in completeness["not_held"]}
        for header, filled in completeness["filled"].items()
    ]


def _grid_rows(completeness: dict, tasks: list[dict], name_of: Any) -> list[dict[str, Any]]:
    """Per grid: residents covered, how many have a gap to fill, and the share of held values
    that are filled."""
    held = [header for header in completeness["filled"]
            if header not in completeness["not_held"]]
    with_gaps = {task["grid_code"]: len(task["persons"]) for task in tasks}
    rows = []
    for code, counts in sorted(completeness["grids"].items()):
        filled = sum(counts[header] for header in held)
        rows.append({"code": code, "name": name_of(code), "total": counts["total"],
                     "with_gaps": with_gaps.get(code, 0),
                     "share": _share(filled, counts["total"] * len(held))})
    return rows


def _task_lists(user: User, scope: str, tasks: list[dict]) -> list[dict[str, Any]]:
    """Each grid's task list, with its residents spelled out where the user works: their own
    grids for a grid worker, the one grid when the scope is a grid. Elsewhere a count and a
    link to the grid."""
    single_grid = level_of(scope) == Level.GRID
    return [
        {**task, "count": len(task["persons"]),
         "shown": single_grid or user.get_username() in task["workers"]}
        for task in tasks
    ]


# -- A department's own form, filled (reports.fill) -------------------------------------


@login_required
def fill(request: SignedInRequest) -> HttpResponse:
    """Upload a blank form and choose the area: the page shows each column as recognised,
    the cells it would fill and why a column stays empty, with the download and, for those
    who edit templates, keeping the form as a template. The upload is read and removed; the
    page carries the recognised form (signed), not the file."""
    user = request.user
    require(user, Action.USE_REPORTS)
    areas = report_areas(user)
    upload = FormToFill(request.POST or None, request.FILES or None, areas=areas,
                        initial={"scope": _home_scope(user, areas)})
    if request.method != "POST" or not upload.is_valid():
        status = 400 if request.method == "POST" else 200
        return render(request, "web/reports/fill.html", {"upload": upload}, status=status)
    scope = upload.cleaned_data["scope"]
    try:
        form = _form_uploaded(upload.cleaned_data["file"])
    except UnreadableFileError as error:
        upload.add_error("file", str(error))
        return render(request, "web/reports/fill.html", {"upload": upload}, status=400)
    return _filled_page(request, form, scope, upload=upload)


def _form_uploaded(upload: Any) -> Form:
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    try:
        with os.fdopen(handle, "wb") as file:
            for chunk in upload.chunks():
                file.write(chunk)
        form = form_read(path)
    finally:
        os.unlink(path)
    form.name = Path(upload.name).name[:100]
    return form


def _filled_page(request: SignedInRequest, form: Form, scope: str, *, status: int = 200,
                 **context: Any) -> HttpResponse:
    user = request.user
    counted = form_filled(form, scope=scope, user=user, out=None)  # counts, no file
    signed = form_signed(form, user_id=user.pk)
    context.setdefault("download", FilledFormDownload(initial={"form": signed, "scope": scope}))
    context.setdefault("keep", FormAsTemplate(initial={
        "form": signed, "name": (form.title or Path(form.name).stem)[:100]}))
    return render(request, "web/reports/fill.html", {
        "form_name": form.name, "filled": counted, "scope": scope,
        "scope_name": places_under(scope).name(scope),
        "population": form.population,
        "may_keep": can(user, Action.EDIT_REPORT_TEMPLATES), **context,
    }, status=status)


def _signed_form(request: SignedInRequest, text: str) -> Form:
    try:
        return form_unsigned(text, user_id=request.user.pk)
    except signing.BadSignature as error:
        raise Http404 from error


@login_required
@require_POST
def fill_download(request: SignedInRequest) -> HttpResponse:
    """The filled form, once the user has said why; logged like every report download."""
    user = request.user
    require(user, Action.USE_REPORTS)
    download = FilledFormDownload(request.POST)
    form = _signed_form(request, request.POST.get("form", ""))
    scope = request.POST.get("scope", "")
    if not scope_visible_to(user, scope):
        raise Http404
    if not download.is_valid():
        return _filled_page(request, form, scope, status=400, download=download)
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        try:
            form_export(form, scope=scope, user=user, by=user, out=path,
                        purpose=download.stated_purpose(), request=request)
        except AccessLogUnavailableError as error:
            download.add_error(None, error.message)
            return _filled_page(request, form, scope, status=503, download=download)
        file = Path(path).open("rb")  # noqa: SIM115 - FileResponse closes it once sent
    finally:
        if os.path.exists(path):
            os.unlink(path)  # the open file stays readable until it is closed
    return FileResponse(file, as_attachment=True,
                        filename=f"{Path(form.name).stem}-{scope}.xlsx")


@login_required
@require_POST
def fill_keep(request: SignedInRequest) -> HttpResponse:
    """Keep a recognised form as a report template: next month it is one click."""
    user = request.user
    if not can(user, Action.EDIT_REPORT_TEMPLATES):
        raise PermissionDenied
    keep = FormAsTemplate(request.POST)
    form = _signed_form(request, request.POST.get("form", ""))
    scope = request.POST.get("scope", "")
    if not scope_visible_to(user, scope):
        scope = _home_scope(user, report_areas(user))
    if keep.is_valid():
        data = keep.cleaned_data
        template = form.as_template(slug=data["slug"], name=data["name"],
                                    department=data["department"],
                                    description=_("Kept from the form %(file)s.")
                                    % {"file": form.name})
        if ReportTemplate.objects.filter(slug=data["slug"]).exists():
            keep.add_error("slug", _("A template with this code exists; choose another."))
        else:
            try:
                report_template_save(template=template, by=user,
                                     reason=_("Kept from a department's form"))
            except ValidationError as error:
                service_errors_shown(keep, error)
            else:
                messages.success(request, _("The form is kept as a report template."))
                return redirect("web:report", slug=template.slug)
    return _filled_page(request, form, scope, status=400, keep=keep)
