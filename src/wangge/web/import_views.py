"""Uploading a department's file: the form, then a page that follows the background import
(polled by htmx) to its summary and the rejects download. Same code path as `wangge import`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language, ngettext
from django.views.decorators.http import require_POST

from wangge.access.decorators import action_required
from wangge.auditlog.services import AccessLogUnavailableError
from wangge.foundation.paging import page_of
from wangge.foundation.permissions import Action, can
from wangge.foundation.requests import SignedInRequest
from wangge.imports.jobs import (
    NotRetryableError,
    RejectsGoneError,
    import_job_create,
    import_job_retry,
    import_jobs_visible_to,
    importable_kinds,
    kind_label,
    rejects_download,
)
from wangge.imports.liveness import import_job_seen
from wangge.imports.models import ImportJob
from wangge.imports.queue import queued_row_place, queued_rows_visible_to
from wangge.imports.tasks import job_progress
from wangge.imports.templates import template_download
from wangge.places.addresses import buildings_described
from wangge.places.selectors import buildings_visible_to

from .forms import UploadForm

RECENT_JOBS = 20


@login_required
def upload(request: SignedInRequest) -> HttpResponse:
    user = request.user
    if not can(user, Action.IMPORT_FILES):
        raise PermissionDenied
    kinds = {kind: kind_label(kind) for kind in importable_kinds(user)}
    form = UploadForm(request.POST or None, request.FILES or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_job_create(
                by=user, upload=form.cleaned_data["file"], kind=form.cleaned_data["kind"],
                partial=form.cleaned_data["partial"],
                department=form.cleaned_data["department"], language=get_language())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("web:import_job", pk=job.pk)
    return render(request, "web/imports/upload.html", {
        "form": form,
        "kinds": kinds,
        "jobs": [import_job_seen(job) for job in import_jobs_visible_to(user)[:RECENT_JOBS]],
    })


@login_required
def job(request: SignedInRequest, pk: int) -> HttpResponse:
    """The job's page; while it runs, htmx asks for the progress part alone every second."""
    job = import_job_seen(get_object_or_404(import_jobs_visible_to(request.user), pk=pk))
    template = "web/imports/job.html#progress" if request.htmx else "web/imports/job.html"
    response = render(request, template, _job_context(job))
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def template(request: SignedInRequest, kind: str) -> FileResponse:
    """The template workbook of a kind of file, in the page's language."""
    if not can(request.user, Action.IMPORT_FILES):
        raise PermissionDenied
    return template_download(kind)


@login_required
@require_POST
def retry(request: SignedInRequest, pk: int) -> HttpResponse:
    """Queue a failed import again, then follow it on its page."""
    job = get_object_or_404(import_jobs_visible_to(request.user), pk=pk)
    try:
        import_job_retry(job=job, by=request.user)
    except NotRetryableError as error:
        messages.error(request, str(error))
    return redirect("web:import_job", pk=job.pk)


@login_required
def rejects(request: SignedInRequest, pk: int) -> HttpResponse:
    """The rejects workbook; when its file has gone, the job's page says so (a 404)."""
    job = get_object_or_404(import_jobs_visible_to(request.user), pk=pk)
    try:
        return rejects_download(job, by=request.user, request=request)
    except RejectsGoneError as error:
        messages.error(request, str(error))
        return render(request, "web/imports/job.html", _job_context(job), status=404)
    except AccessLogUnavailableError as error:
        messages.error(request, error.message)
        return redirect("web:import_job", pk=job.pk)


@action_required(Action.PLACE_ADDRESSES)
def addresses(request: SignedInRequest) -> HttpResponse:
    """The address queue: rows whose address named no single building, each with its best
    candidates and a search for any other building; one tap places it."""
    return render(request, "web/imports/addresses.html", {
        "page": page_of(request, queued_rows_visible_to(request.user))})


@action_required(Action.PLACE_ADDRESSES)
def address_buildings(request: SignedInRequest, pk: int) -> HttpResponse:
    """Buildings whose name holds what was typed, for one waiting row (htmx)."""
    queued = get_object_or_404(queued_rows_visible_to(request.user), pk=pk)
    typed = request.GET.get("q", "").strip()[:50]
    found = buildings_visible_to(request.user).in_scope([queued.grid_code]).filter(
        name__contains=typed)[:8] if typed else []
    return render(request, "web/imports/addresses.html#choices", {
        "queued": queued, "choices": buildings_described(found)})


@action_required(Action.PLACE_ADDRESSES)
@require_POST
def address_place(request: SignedInRequest, pk: int) -> HttpResponse:
    """Place a waiting row in the building chosen; the choice is kept as its alias."""
    queued = get_object_or_404(queued_rows_visible_to(request.user), pk=pk)
    building = get_object_or_404(buildings_visible_to(request.user),
                                 pk=request.POST.get("building") or 0)
    try:
        landed = queued_row_place(queued=queued, building=building, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, ngettext(
            "%(count)d row placed in %(building)s.", "%(count)d rows placed in %(building)s.",
            landed) % {"count": landed, "building": building.name})
    return redirect("web:import_addresses")


def _job_context(job: ImportJob) -> dict:
    return {"job": job, "progress": job_progress(job),
            "kind_label": kind_label(job.kind)}
