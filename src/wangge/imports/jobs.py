"""Uploads imported in the background: the same ``import_file`` as ``wangge import``, run by a
task for an ImportJob that the page and the API poll.

A job belongs to whoever uploaded it and is shown to them alone: its file and rejects hold the
department's rows as sent, including rows outside the uploader's jurisdiction, so colleagues
(even above them) do not read it; what it wrote is in each record's history for them.
"""

import datetime
from contextlib import suppress
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.access.models import User
from wangge.auditlog.models import Kind, Purpose
from wangge.auditlog.services import access_record, purpose_text
from wangge.foundation.permissions import Action, can, require
from wangge.populations.models import Population

from .circumstances import PREFIX
from .liveness import import_job_seen, run_leftovers_remove
from .models import ImportJob
from .services import import_kind, import_kinds
from .tasks import import_job_task

EXTENSIONS = (".xlsx", ".xls", ".csv")
# What each kind of file is called on the upload page (a kind not named here shows its code).
KIND_LABELS = {
    "persons": gettext_lazy("Residents (with households, dwellings and buildings)"),
    "buildings": gettext_lazy("Buildings"),
    "dwellings": gettext_lazy("Dwellings"),
    "organizations": gettext_lazy("Organizations"),
    "facilities": gettext_lazy("Facilities"),
}


def importable_kinds(user: User) -> list[str]:
    """The kinds ``user`` may upload: their role may import files and write that kind."""
    if not can(user, Action.IMPORT_FILES):
        return []
    return [kind for kind, (_handler, action) in import_kinds().items() if can(user, action)]


def kind_label(kind: str) -> str:
    """What a kind of file is called on the pages: a population's list by its name."""
    if kind.startswith(PREFIX):
        population = Population.objects.filter(key=kind.removeprefix(PREFIX)).first()
        if population is not None:
            return _("List of %(population)s") % {"population": population.name}
    return str(KIND_LABELS.get(kind, kind))


def import_jobs_visible_to(user: User) -> QuerySet[ImportJob]:
    """The user's own uploads (see the module's docstring for why no one else's)."""
    require(user, Action.IMPORT_FILES)
    return ImportJob.objects.filter(user=user)


def import_job_create(*, by: User, upload: UploadedFile, kind: str, partial: bool = False,
                      department: str = "", language: str = "zh-hans") -> ImportJob:
    """Keep the upload under var/imports/ and queue its import, once the job is committed."""
    require(by, Action.IMPORT_FILES)
    errors: dict[str, list[str]] = {}
    if import_kind(kind) is None:
        errors["kind"] = [_("Choose one of %(kinds)s.") % {"kinds": ", ".join(import_kinds())}]
    elif kind not in importable_kinds(by):
        raise PermissionDenied(_("Your role may not import %(kind)s.") % {"kind": kind})
    name = Path(upload.name or "").name
    limit = settings.WANGGE_UPLOAD_MAX_MB
    if not name.lower().endswith(EXTENSIONS):
        errors["file"] = [_("Upload an xlsx, xls or CSV file.")]
    elif upload.size > limit * 1024 * 1024:
        errors["file"] = [_("The file is larger than %(limit)d MB; split it into smaller files.")
                          % {"limit": limit}]
    elif not upload.size:
        errors["file"] = [_("The file is empty.")]
    if errors:
        raise ValidationError(errors)
    job = ImportJob(user=by, kind=kind, partial=partial, department=department.strip(),
                    language=language)
    job.file.save(name, upload, save=False)
    job.save()
    # The worker must find the job committed: queue it only once it is.
    transaction.on_commit(lambda: import_job_task.enqueue(job.pk))
    return job


class RejectsGoneError(Exception):
    """The job had a rejects workbook, but its file is no longer there (removed by retention
    or by hand); the message says so, for a 404."""


def rejects_download(job: ImportJob, *, by: User, request: HttpRequest) -> FileResponse:
    """The job's rejects workbook as a download; 404 when no row was rejected, and
    ``RejectsGoneError`` when its file has gone. The download is logged (it holds the
    department's rows as sent) and not sent unlogged."""
    if not job.rejects:
        raise Http404
    try:
        file = job.rejects.open("rb")
    except OSError as error:
        raise RejectsGoneError(_("The rejects workbook of this import is no longer kept; "
                                 "upload the file again to list the rejected rows.")) from error
    try:
        access_record(by=by, kind=Kind.EXPORT, request=request,
                      count=(job.summary or {}).get("rejected", 0),
                      target=f"import rejects {job.pk} {job.file_name}",
                      purpose=purpose_text(Purpose.CORRECTION), required=True)
    except BaseException:
        file.close()
        raise
    return FileResponse(file, as_attachment=True,
                        filename=f"{Path(job.file_name).stem}-rejects.xlsx")


class NotRetryableError(Exception):
    """A retry of an import that has not failed, or whose file is gone (the API's 409)."""


@transaction.atomic
def import_job_retry(*, job: ImportJob, by: User) -> ImportJob:
    """Queue a failed job again, as its uploader; refused (NotRetryableError) for any other."""
    require(by, Action.IMPORT_FILES)
    if job.user_id != by.pk:
        raise PermissionDenied(_("Only the uploader may retry an import."))
    job = import_job_seen(ImportJob.objects.select_for_update().get(pk=job.pk))
    if job.status != ImportJob.Status.FAILED:
        raise NotRetryableError(_("Only a failed import can be retried; this one is "
                                  "%(status)s.") % {"status": job.get_status_display()})
    if job.file_removed:
        raise NotRetryableError(_("The file was removed after the retention period; upload "
                                  "it again."))
    run_leftovers_remove(job)
    job.status = ImportJob.Status.QUEUED
    job.error = ""
    job.started = job.finished = job.rows_expected = None
    job.summary = {}
    job.save()
    transaction.on_commit(lambda: import_job_task.enqueue(job.pk))
    return job



def import_files_purge() -> int:
    """Delete the uploads and rejects of jobs finished more than WANGGE_UPLOAD_RETENTION_DAYS
    ago (cron, through `wangge purge`); the job and its counts stay, marked with when. The
    first rejected rows listed on the job go too: they come from the file. Returns how many."""
    cutoff = timezone.now() - datetime.timedelta(days=settings.WANGGE_UPLOAD_RETENTION_DAYS)
    removed = 0
    for job in ImportJob.objects.filter(file_removed__isnull=True, finished__lt=cutoff):
        storage = job.file.storage
        for name in (job.file.name, job.rejects.name):
            if name:
                storage.delete(name)
        run_leftovers_remove(job)
        if Path(job.file.name).parent != Path():  # its own folder, never the storage's root
            with suppress(OSError):
                job.folder.rmdir()
        job.summary.pop("rejections", None)
        job.rejects = ""
        job.file_removed = timezone.now()
        job.save(update_fields=["summary", "rejects", "file_removed"])
        removed += 1
    return removed
