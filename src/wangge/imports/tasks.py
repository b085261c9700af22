"""The background task that imports an uploaded file (run by `wangge db_worker`, or inline
with WANGGE_TASKS=immediate)."""

import logging
import os
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from wangge.linkage.tasks import link_after_import_task
from wangge.spreadsheets import UnreadableFileError, sheet_part

from .liveness import heartbeat, import_jobs_fail_dead
from .models import ImportJob
from .rejects import write_rejects
from .services import ImportSummary, import_file

logger = logging.getLogger(__name__)

# The page lists this many rejected rows; the rejects workbook has them all.
SHOWN_REJECTIONS = 200


@task()
def import_job_task(job_id: int) -> str:
    """Import the job's file as its uploader; return the job's final status."""
    return import_job_run(job_id)


@task()
def fail_dead_imports_task() -> int:
    """Mark failed the imports whose worker died; `wangge imports-fail-dead` runs or enqueues
    it (cron)."""
    return import_jobs_fail_dead()


def import_job_run(job_id: int) -> str:
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    if job.status != ImportJob.Status.QUEUED:
        return job.status  # already run (a task delivered twice)
    # The heartbeat is written before the job shows running, and removed once it is finished:
    # a running job without one has lost its worker (see liveness.worker_died).
    with heartbeat(job):
        return _run(job)


def _run(job: ImportJob) -> str:
    path = Path(job.file.path)
    job.status = ImportJob.Status.RUNNING
    job.started = timezone.now()
    job.rows_expected = estimated_rows(path)
    job.save(update_fields=["status", "started", "rows_expected"])
    with translation.override(job.language):
        try:
            summary = import_file(kind=job.kind, path=path, by=job.user,
                                  department=job.department, partial=job.partial,
                                  progress=lambda rows: job_progress_write(job, rows))
        except (UnreadableFileError, PermissionDenied) as error:
            return _finish(job, ImportJob.Status.FAILED, error=str(error))
        except Exception:
            logger.exception("import job %s stopped", job.pk)
            _finish(job, ImportJob.Status.FAILED, error=_(
                "The import stopped on an unexpected error and nothing was written. The "
                "administrators can find the details in the server log."))
            raise
        if summary.rejections:
            write_rejects(summary, job.folder / "rejects.xlsx")
            job.rejects.name = str(Path(job.file.name).parent / "rejects.xlsx")
    job.summary = summary_json(summary)
    job.rows_read = summary.rows
    if job.kind == "persons" and summary.written and (summary.created or summary.updated):
        # One person, one record: look for the records this file may have doubled.
        scopes = list(job.user.jurisdictions.values_list("code", flat=True))
        transaction.on_commit(lambda: link_after_import_task.enqueue(scopes))
    return _finish(job, ImportJob.Status.IMPORTED if summary.written
                   else ImportJob.Status.REJECTED)


def summary_json(summary: ImportSummary) -> dict:
    """The counts, whether anything was written, and the first rejected rows' reasons."""
    return {**summary.counts(), "written": summary.written, "rejections": [
        {"row": rejection.row, "column": rejection.column, "reason": rejection.reason}
        for rejection in summary.rejections[:SHOWN_REJECTIONS]
    ]}


def _finish(job: ImportJob, status: str, error: str = "") -> str:
    job.status = status
    job.error = error
    job.finished = timezone.now()
    job.save()
    job.progress_file.unlink(missing_ok=True)
    return status


def job_progress_write(job: ImportJob, rows: int) -> None:
    """Rows read so far, kept in a file beside the upload. Not in the database: the import
    holds one transaction to the end (and on SQLite the only write lock), so a row updated
    here would not be seen until it is over."""
    scratch = job.progress_file.with_suffix(".tmp")
    scratch.write_text(str(rows))
    os.replace(scratch, job.progress_file)


def job_rows_read(job: ImportJob) -> int:
    """Rows read so far: from the progress file while the import runs."""
    if job.status != ImportJob.Status.RUNNING:
        return job.rows_read
    try:
        return int(job.progress_file.read_text() or 0)
    except (OSError, ValueError):
        return 0


def estimated_rows(path: Path) -> int | None:
    """About how many rows the file holds, for the progress bar: the lines of a text file, the
    first sheet's dimension in an xlsx; None where that is not cheap to know (xls)."""
    try:
        with path.open("rb") as file:
            if file.read(4).startswith(b"PK"):
                return _xlsx_rows(path)
            file.seek(0)
            if file.read(4).startswith(b"\xd0\xcf\x11\xe0"):
                return None
            file.seek(0)
            return sum(chunk.count(b"\n") for chunk in iter(lambda: file.read(1 << 20), b""))
    except (OSError, zipfile.BadZipFile, KeyError, ElementTree.ParseError):
        return None


def _xlsx_rows(path: Path) -> int | None:
    with zipfile.ZipFile(path) as archive:
        part = sheet_part(archive)
        if part is None:
            return None
        with archive.open(part) as sheet:
            head = sheet.read(4096).decode("utf-8", errors="ignore")
    match = re.search(r'<dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"', head)
    return int(match[1]) if match else None
