"""API for uploads: send a file to import in the background, follow it, fetch its rejects.

A job is its uploader's alone (see imports.jobs): another caller's job is a 404.
"""

import datetime
from typing import Any

from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from ninja import File, Form, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate

from wangge.foundation.api_support import XLSX, Pages, RecordId, acting, also_answers, caller
from wangge.foundation.permissions import Action, require
from wangge.places.selectors import buildings_visible_to

from .jobs import (
    NotRetryableError,
    RejectsGoneError,
    import_job_create,
    import_job_retry,
    import_jobs_visible_to,
    rejects_download,
)
from .liveness import import_job_seen
from .models import ImportJob, QueuedRow
from .queue import queued_row_place, queued_rows_visible_to
from .tasks import job_progress
from .templates import template_download

router = Router(tags=["imports"])
NOT_RETRYABLE = gettext_lazy("The import has not failed, or its file is no longer kept.")


class ProgressOut(Schema):
    rows: int
    expected: int | None


class ImportJobOut(Schema):
    id: int
    kind: str
    file: str
    department: str
    partial: bool
    status: str
    progress: ProgressOut
    summary: dict
    error: str
    rejects: str | None
    created: datetime.datetime
    started: datetime.datetime | None
    finished: datetime.datetime | None
    file_removed: datetime.datetime | None

    @staticmethod
    def resolve_file(job: ImportJob) -> str:
        return job.file_name

    @staticmethod
    def resolve_progress(job: ImportJob) -> ProgressOut:
        """Data rows read so far (title and header rows are not rows), as the summary counts
        them, and about how many the file holds."""
        progress = job_progress(job)
        return ProgressOut(rows=progress.rows, expected=progress.expected)

    @staticmethod
    def resolve_rejects(job: ImportJob) -> str | None:
        return reverse("api:import_rejects", args=[job.pk]) if job.rejects else None


@router.post("/imports", response={202: ImportJobOut})
def import_upload(request: HttpRequest, file: File[UploadedFile], kind: Form[str],
                  partial: Form[bool] = False, department: Form[str] = "") -> ImportJob:
    """Upload an xlsx, xls or CSV file to import as ``kind`` (persons, ...); by default nothing
    is written if any row is rejected, ``partial=true`` writes the valid rows. Answers 202 at
    once; follow the job at ``/imports/{id}``."""
    job = import_job_create(by=caller(request), upload=file, kind=kind, partial=partial,
                            department=department, language=get_language())
    job.refresh_from_db()  # the task may already have run (WANGGE_TASKS=immediate)
    return job


class BuildingCandidateOut(Schema):
    id: int
    name: str


class QueuedRowOut(Schema):
    """A person's row waiting in the address queue (the cells stay on the server)."""

    id: int
    address: str
    row: int
    source: str
    reason: str
    grid_code: str
    candidates: list[BuildingCandidateOut]
    created: datetime.datetime

    @staticmethod
    def resolve_row(queued: QueuedRow) -> int:
        return queued.row_number

    @staticmethod
    def resolve_candidates(queued: QueuedRow) -> list[BuildingCandidateOut]:
        return [BuildingCandidateOut(id=pk, name=name) for pk, name in queued.candidates]


class PlaceIn(Schema):
    building_id: RecordId


class PlacedOut(Schema):
    landed: int


@router.get("/imports/addresses", response=list[QueuedRowOut])
@paginate(Pages)
def queued_rows_list(request: HttpRequest) -> Any:
    """Rows whose address named no single building, waiting for staff to pick it (those who
    may place addresses, in their jurisdiction; 403 for other roles), with the best
    candidates."""
    return queued_rows_visible_to(acting(request, Action.PLACE_ADDRESSES))


@router.post("/imports/addresses/{id}", response=PlacedOut)
def queued_row_choose(request: HttpRequest, id: RecordId, payload: PlaceIn) -> dict[str, int]:
    """Place the row in the building chosen (any building in the caller's jurisdiction where
    the row's list could lie): the address as written becomes the building's alias, and every
    waiting row it now places lands. 404 for a row or building outside the jurisdiction, 422
    when the building lacks the row's dwelling."""
    user = acting(request, Action.PLACE_ADDRESSES)
    queued = get_object_or_404(queued_rows_visible_to(user), pk=id)
    building = get_object_or_404(buildings_visible_to(user), pk=payload.building_id)
    return {"landed": queued_row_place(queued=queued, building=building, by=user)}


@router.get("/imports/{id}", response=ImportJobOut)
def import_status(request: HttpRequest, id: RecordId) -> ImportJob:
    """The job; one whose worker died (killed, or the server restarted) is ``failed`` with the
    reason, and may be retried."""
    return import_job_seen(get_object_or_404(import_jobs_visible_to(caller(request)), pk=id))


@router.post("/imports/{id}/retry", response={202: ImportJobOut},
             openapi_extra=also_answers(409, meaning={409: NOT_RETRYABLE}))
def import_retry(request: HttpRequest, id: RecordId) -> ImportJob:
    """Queue a failed import again (its file is imported anew); 409 for a job that has not
    failed."""
    user = caller(request)
    job = get_object_or_404(import_jobs_visible_to(user), pk=id)
    try:
        job = import_job_retry(job=job, by=user)
    except NotRetryableError as error:
        raise HttpError(409, str(error)) from error
    job.refresh_from_db()  # the task may already have run (WANGGE_TASKS=immediate)
    return job


@router.get("/imports/{id}/rejects", url_name="import_rejects",
            openapi_extra=also_answers(503, files=(XLSX,)))
def import_rejects(request: HttpRequest, id: RecordId) -> FileResponse:
    """The rejected rows as they were in the file, with a reason column (xlsx); 404 with a
    message when the workbook is no longer kept."""
    user = caller(request)
    job = get_object_or_404(import_jobs_visible_to(user), pk=id)
    try:
        return rejects_download(job, by=user, request=request)
    except RejectsGoneError as error:
        raise HttpError(404, str(error)) from error


@router.get("/import-templates/{kind}", openapi_extra=also_answers(files=(XLSX,)))
def import_template_download(request: HttpRequest, kind: str) -> FileResponse:
    """The template of a kind of file (persons, buildings, dwellings, facilities,
    organizations) as an xlsx: the header row, drop-down lists for the choice columns, an
    example row (refused if it is still there when the file is uploaded) and a notes sheet.
    In the caller's language (``Accept-Language``); 404 for an unknown kind."""
    require(caller(request), Action.IMPORT_FILES)
    return template_download(kind)

