"""A worker that dies in the middle of an import (SIGKILL, a restart): its job is shown failed
with the reason, nothing of it was written, and its uploader may retry it."""

import csv
import datetime
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import translation
from django_tasks_db.models import DBTaskResult
from stdnum.cn import ric

from tests.factories import GRID_A, STREET_1, make_user
from tests.imports.uploads import GOOD, HEADER, persons_xlsx, upload_of
from wangge.foundation.permissions import Role
from wangge.imports.jobs import import_job_create
from wangge.imports.liveness import import_jobs_fail_dead
from wangge.imports.models import ImportJob
from wangge.imports.services import CHUNK_ROWS
from wangge.imports.tasks import fail_dead_imports_task, job_progress
from wangge.people.models import Person

ROWS = CHUNK_ROWS + 1000  # the worker is killed after the first chunk, inside the transaction
WORKER = ("db_worker", "--batch", "--no-startup-delay", "--no-reload")



@pytest.fixture(autouse=True)
def english():
    """These tests read English; the clients' requests switch the thread's language, which
    this puts back afterwards for the suites that read the default."""
    with translation.override("en"):
        yield

@pytest.fixture
def staff(world):
    return make_user(Role.COMMUNITY_STAFF, STREET_1, username="staff-1")


def api(user) -> Client:
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(user)
    return client


def persons_csv(path: Path, rows: int) -> Path:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER)
        for number in range(rows):
            born = datetime.date(1950, 1, 1) + datetime.timedelta(days=number)
            body = f"420102{born:%Y%m%d}{number % 500 * 2 + 1:03d}"
            writer.writerow([f"居民{number}", body + ric.calc_check_digit(body + "0"),
                             f"138{number:08d}", GRID_A])
    return path


def database_url() -> str:
    """The test database, for a worker in another process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def progress_of(job: ImportJob) -> int:
    job.status = ImportJob.Status.RUNNING  # as the worker has set it, in its own process
    return job_progress(job).rows


# The worker runs in another process: no test transaction, so that it sees the job.
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_import_fails_the_job_and_the_uploader_retries_it(
    staff, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(by=staff, upload=upload_of(persons_csv(tmp_path / "a.csv", ROWS)),
                                kind="persons")
    environment = {**os.environ, "DATABASE_URL": database_url(),
                   "WANGGE_VAR_DIR": str(settings.VAR_DIR), "WANGGE_TASKS": "database"}
    worker = subprocess.Popen([sys.executable, "-m", "tests.imports.stalled_worker"],
                              env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        for _wait in range(1200):  # until the first chunk is written (at most about 2 min)
            if progress_of(job) or worker.poll() is not None:
                break
            time.sleep(0.1)
        assert worker.poll() is None, worker.stdout.read().decode()
        assert progress_of(job) == CHUNK_ROWS
        worker.send_signal(signal.SIGKILL)
    finally:
        worker.kill()
        worker.wait()
        worker.stdout.close()

    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING  # as the worker left it
    client = api(staff)
    shown = client.get(f"/api/v1/imports/{job.pk}").json()
    assert shown["status"] == "failed"
    assert "Nothing was written: the import is atomic." in shown["error"]
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert "The worker importing this file stopped" in page
    assert "Retry the import" in page
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING  # reads computed it, and wrote nothing
    assert not Person.objects.exists()  # the killed transaction was rolled back

    assert import_jobs_fail_dead() == 1  # cron records it
    job.refresh_from_db()
    assert (job.status, job.finished is not None) == (ImportJob.Status.FAILED, True)
    assert "Nothing was written" in job.error or "未写入任何数据" in job.error

    response = client.post(f"/api/v1/imports/{job.pk}/retry")
    assert response.status_code == 202
    assert response.json()["status"] == "queued"
    assert client.post(f"/api/v1/imports/{job.pk}/retry").status_code == 409
    call_command(*WORKER)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.IMPORTED
    assert job.summary["created"] == ROWS
    assert Person.objects.count() == ROWS
    assert not job.heartbeat_file.exists()


def running(job: ImportJob, *, host: str, pid: int) -> ImportJob:
    job.status = ImportJob.Status.RUNNING
    job.started = datetime.datetime.now(datetime.UTC)
    job.save()
    job.heartbeat_file.write_text(json.dumps({"host": host, "pid": pid}))
    return job


def test_a_gone_process_is_dead_at_once_and_a_silent_heartbeat_after_the_timeout(
    staff, tmp_path, settings
):
    settings.WANGGE_IMPORT_HEARTBEAT_TIMEOUT = 300
    ended = subprocess.Popen([sys.executable, "-c", "pass"])  # a process that has ended
    ended.wait()

    def job(name: str, host: str, pid: int) -> ImportJob:
        upload = upload_of(persons_xlsx(tmp_path / name, GOOD))
        return running(import_job_create(by=staff, upload=upload, kind="persons"),
                       host=host, pid=pid)

    alive = job("a.xlsx", socket.gethostname(), os.getpid())
    gone = job("b.xlsx", socket.gethostname(), ended.pid)
    elsewhere = job("c.xlsx", "another-host", 1)
    client = api(staff)
    assert [client.get(f"/api/v1/imports/{job.pk}").json()["status"]
            for job in (alive, gone, elsewhere)] == ["running", "failed", "running"]
    # Ten minutes on, no heartbeat was touched: whatever runs them has stopped or hangs.
    with time_machine.travel(datetime.datetime.now(datetime.UTC)
                             + datetime.timedelta(minutes=10)):
        assert client.get(f"/api/v1/imports/{elsewhere.pk}").json()["status"] == "failed"
        assert import_jobs_fail_dead() == 3
    assert set(ImportJob.objects.values_list("status", flat=True)) == {"failed"}


def test_only_the_uploader_retries_and_only_a_failed_job(staff, tmp_path):
    job = import_job_create(by=staff, upload=upload_of(persons_xlsx(tmp_path / "a.xlsx", GOOD)),
                            kind="persons")
    client = api(staff)
    response = client.post(f"/api/v1/imports/{job.pk}/retry")
    assert response.status_code == 409
    assert response.json()["message"] == ("Only a failed import can be retried; this one is "
                                          "Waiting.")
    job.status = ImportJob.Status.FAILED
    job.save()
    colleague = make_user(Role.COMMUNITY_STAFF, STREET_1)
    assert api(colleague).post(f"/api/v1/imports/{job.pk}/retry").status_code == 404
    assert api(colleague).post(f"/imports/{job.pk}/retry/").status_code == 404
    response = client.post(f"/imports/{job.pk}/retry/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.QUEUED


def test_the_check_runs_from_cron_or_through_the_worker(db):
    out = io.StringIO()
    call_command("imports-fail-dead", stdout=out)
    assert out.getvalue() == "Marked 0 imports failed.\n"
    call_command("imports-fail-dead", "--enqueue", stdout=io.StringIO())
    assert DBTaskResult.objects.get().task_path == fail_dead_imports_task.module_path
