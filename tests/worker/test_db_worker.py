"""`wangge db_worker` waits out a busy database instead of stopping."""

import logging

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django_tasks_db.models import DBTaskResult

from tests.factories import STREET_1, make_user
from tests.imports.uploads import GOOD, persons_xlsx, upload_of
from tests.locking import short_busy_timeout, sqlite_only, write_lock_held
from wangge.foundation.permissions import Role
from wangge.imports.jobs import import_job_create
from wangge.imports.models import ImportJob
from wangge.worker.management.commands import db_worker

__all__ = ["short_busy_timeout"]

WORKER = ("db_worker", "--batch", "--no-startup-delay", "--no-reload")


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_the_worker_polls_again_once_the_database_is_free(
    world, tmp_path, settings, short_busy_timeout, monkeypatch, caplog,
    django_capture_on_commit_callbacks,
):
    settings.WANGGE_WORKER_DB_TIMEOUT = 0.1
    staff = make_user(Role.COMMUNITY_STAFF, STREET_1)
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(by=staff, upload=upload_of(persons_xlsx(tmp_path / "a.xlsx", GOOD)),
                                kind="persons")
    pauses = []
    with write_lock_held() as other, caplog.at_level(logging.WARNING, "wangge.worker"):

        def pause(seconds: float) -> None:
            pauses.append(seconds)
            other.execute("COMMIT")  # the other process is done with the lock

        monkeypatch.setattr(db_worker, "sleep", pause)
        call_command(*WORKER)
    assert pauses == [db_worker.FIRST_PAUSE_S]
    assert "The database is busy (database is locked)" in caplog.text
    job.refresh_from_db()
    assert job.status == ImportJob.Status.IMPORTED
    assert DBTaskResult.objects.get(args_kwargs__args=[job.pk]).status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_the_worker_still_stops_on_other_database_errors(world, monkeypatch):
    def broken(self) -> None:
        raise OperationalError("no such table: django_tasks_database_dbtaskresult")

    monkeypatch.setattr(db_worker.upstream.Worker, "run", broken)
    with pytest.raises(OperationalError, match="no such table"):
        call_command(*WORKER)
