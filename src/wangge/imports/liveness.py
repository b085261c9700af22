"""Whether the worker running an import is still alive: a heartbeat file beside the upload.

The import is one transaction (on SQLite it holds the only write lock), so a running import
cannot say it is alive in the database; like its progress, it says so in a file: its host and
process id, touched every HEARTBEAT_S seconds by a thread of its own. A running job's worker is
taken for dead when that process is gone from this host (at once), or when the file has not
been touched for WANGGE_IMPORT_HEARTBEAT_TIMEOUT seconds (a worker on another host, or a
process id since reused).
"""

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from .models import ImportJob

HEARTBEAT_S = 10
WORKER_STOPPED = gettext_lazy(
    "The worker importing this file stopped before the end (it was ended, or the server "
    "restarted). Nothing was written: the import is atomic. Retry it to import the file.")


@contextmanager
def heartbeat(job: ImportJob) -> Iterator[None]:
    """Keep the job's heartbeat file fresh while the block runs, then remove it."""
    path = job.heartbeat_file
    scratch = path.with_suffix(".tmp")
    scratch.write_text(json.dumps({"host": socket.gethostname(), "pid": os.getpid()}))
    os.replace(scratch, path)
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(HEARTBEAT_S):
            with suppress(OSError):  # the folder may be gone (retention); the import goes on
                os.utime(path)

    thread = threading.Thread(target=beat, name=f"import-{job.pk}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        path.unlink(missing_ok=True)


def worker_died(job: ImportJob) -> bool:
    """Whether ``job`` is shown running but no worker runs it any more. Reads files only."""
    if job.status != ImportJob.Status.RUNNING:
        return False
    timeout = settings.WANGGE_IMPORT_HEARTBEAT_TIMEOUT
    try:
        beat = json.loads(job.heartbeat_file.read_text())
        age = time.time() - job.heartbeat_file.stat().st_mtime
    except (OSError, ValueError):
        # No heartbeat: the worker has gone (it is written before the job is marked running),
        # or the job ran before heartbeats existed; either way, give it the timeout.
        return job.started is None or (timezone.now() - job.started).total_seconds() > timeout
    on_this_host = isinstance(beat, dict) and beat.get("host") == socket.gethostname()
    if on_this_host and not _process_alive(beat.get("pid")):
        return True
    return age > timeout


def _process_alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)  # signal 0 only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True


def import_job_seen(job: ImportJob) -> ImportJob:
    """``job`` as it stands: a running job whose worker died is shown failed, in memory only
    (a read never writes); `wangge imports-fail-dead` or a retry records it."""
    if worker_died(job):
        job.status = ImportJob.Status.FAILED
        job.error = str(WORKER_STOPPED)
    return job


def import_jobs_fail_dead() -> int:
    """Mark failed every running job whose worker died (cron, or its task); returns how many.
    Nothing of theirs was written: an import is one transaction."""
    failed = 0
    for job in ImportJob.objects.filter(status=ImportJob.Status.RUNNING):
        if not worker_died(job):
            continue
        with translation.override(job.language):
            error = str(WORKER_STOPPED)
        # Only if it is still running: its worker may have finished it meanwhile.
        failed += ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(
            status=ImportJob.Status.FAILED, error=error, finished=timezone.now())
        run_leftovers_remove(job)
    return failed


def run_leftovers_remove(job: ImportJob) -> None:
    """Remove the progress and heartbeat files a dead run left beside the upload."""
    job.progress_file.unlink(missing_ok=True)
    job.heartbeat_file.unlink(missing_ok=True)
