"""The background task that imports an uploaded file (run by `wangge db_worker`, or inline
with WANGGE_TASKS=immediate)."""

import json
import logging
import os
import re
import zipfile
from dataclasses import dataclass
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
                                  progress=lambda summary: job_progress_write(job, summary))
        except (UnreadableFileError, PermissionDenied) as error:
            return _finish(job, ImportJob.Status.FAILED, error=str(error))
        except Exception:
            logger.exception("import job %s stopped", job.pk)
            _finish(job, ImportJob.Status.FAILED, error=_(
                "The import stopped on an unexpected error and nothing was written. The "
                "administrators can find the details in the server log."))
            raise
        if summary.rejections or summary.warnings:
            write_rejects(summary, job.folder / "rejects.xlsx")
            job.rejects.name = str(Path(job.file.name).parent / "rejects.xlsx")
    job.summary = summary_json(summary)
    if job.kind == "persons" and summary.written and (summary.created or summary.updated):
        # One person, one record: look for the records this file may have doubled.
        scopes = list(job.user.jurisdictions.values_list("code", flat=True))
        transaction.on_commit(lambda: link_after_import_task.enqueue(scopes))
    return _finish(job, ImportJob.Status.IMPORTED if summary.written
                   else ImportJob.Status.REJECTED)


def summary_json(summary: ImportSummary) -> dict:
    """The counts, whether anything was written, and the first rejected and warned rows'
    reasons."""
    return {**summary.counts(), "written": summary.written, **{
        name: [{"row": remark.row, "column": remark.column, "reason": remark.reason}
               for remark in remarks[:SHOWN_REJECTIONS]]
        for name, remarks in (("rejections", summary.rejections),
                              ("warnings", summary.warnings))}}


def _finish(job: ImportJob, status: str, error: str = "") -> str:
    job.status = status
    job.error = error
    job.finished = timezone.now()
    job.save()
    job.progress_file.unlink(missing_ok=True)
    return status


@dataclass(frozen=True)
class JobProgress:
    """How far an import got, in the summary's count: data rows, not the title and header
    rows above them. ``expected``: about how many the file holds (None when unknown)."""

    rows: int
    expected: int | None


def job_progress_write(job: ImportJob, summary: ImportSummary) -> None:
    """The running summary's rows, kept in a file beside the upload, with the rows expected
    once the header row is known. Not in the database: the import holds one transaction to
    the end (and on SQLite the only write lock), so a row updated here would not be seen
    until it is over."""
    expected = (max(job.rows_expected - summary.header_row, summary.rows)
                if job.rows_expected is not None else None)
    scratch = job.progress_file.with_suffix(".tmp")
    scratch.write_text(json.dumps({"rows": summary.rows, "expected": expected}))
    os.replace(scratch, job.progress_file)


def job_progress(job: ImportJob) -> JobProgress:
    """How far the job got: from the progress file while it runs, from its summary once it
    is finished."""
    if job.is_finished:
        rows = (job.summary or {}).get("rows", 0)
        return JobProgress(rows=rows, expected=rows)
    if job.status == ImportJob.Status.RUNNING:
        try:
            written = json.loads(job.progress_file.read_text())
            return JobProgress(rows=int(written["rows"]), expected=written["expected"])
        except (OSError, ValueError, TypeError, KeyError):
            pass  # not written yet (the first chunk is being read), or being replaced
    return JobProgress(rows=0, expected=job.rows_expected)


def estimated_rows(path: Path) -> int | None:
    """About how many rows the file holds, for the progress bar: the lines of a text file, the
    first sheet's dimension in an xlsx (header and title rows included: the progress takes
    them off once it knows them); None where that is not cheap to know (xls)."""
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
