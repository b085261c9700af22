"""`wangge purge`: uploads, their rejects and residents' contacts on public reports are deleted
after the periods the settings give, on a frozen clock."""

import datetime
import io
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from tests.events.conftest import make_loop
from tests.factories import COMMUNITY_1, STREET_1, make_building, make_user
from tests.imports.uploads import BAD, GOOD, immediate_tasks, persons_xlsx, upload_of
from wangge.events.models import Event, State
from wangge.foundation.permissions import Role
from wangge.imports.jobs import import_job_create
from wangge.imports.models import ImportJob
from wangge.open311.models import PublicReport
from wangge.open311.services import public_report_file
from wangge.worker.tasks import purge_task

__all__ = ["immediate_tasks"]

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)



@pytest.fixture(autouse=True)
def english():
    """These tests read English; the clients' requests switch the thread's language, which
    this puts back afterwards for the suites that read the default."""
    with translation.override("en"):
        yield

def days_on(days: float):
    return time_machine.travel(START + datetime.timedelta(days=days), tick=False)


def purge() -> str:
    out = io.StringIO()
    call_command("purge", stdout=out)
    return out.getvalue()


def test_an_upload_and_its_rejects_are_deleted_after_the_retention_period(
    world, tmp_path, settings, page_as, immediate_tasks, django_capture_on_commit_callbacks
):
    settings.WANGGE_UPLOAD_RETENTION_DAYS = 30
    staff = make_user(Role.COMMUNITY_STAFF, STREET_1)
    with days_on(0), django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(by=staff, kind="persons",
                                upload=upload_of(persons_xlsx(tmp_path / "a.xlsx", GOOD + BAD)))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.REJECTED
    upload, rejects = Path(job.file.path), Path(job.rejects.path)
    with days_on(29.9):
        assert "Removed 0 uploads kept over 30 days" in purge()
    assert job.folder.is_dir()
    with days_on(30.1):
        assert "Removed 1 uploads kept over 30 days" in purge()
        assert "Removed 0 uploads" in purge()  # once
    job.refresh_from_db()
    assert job.file_removed == START + datetime.timedelta(days=30.1)
    assert not job.folder.exists()
    assert not upload.exists()
    assert not rejects.exists()
    assert not job.rejects
    assert "rejections" not in job.summary  # they quoted the file
    assert job.summary["rejected"] == 2  # the counts stay
    client = page_as(staff)
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert "The uploaded file and its rejected rows were deleted on April 1, 2026" in page
    assert client.get(f"/imports/{job.pk}/rejects/").status_code == 404
    shown = client.get(f"/api/v1/imports/{job.pk}").json()
    assert (shown["file_removed"], shown["rejects"]) == ("2026-04-01T11:24:00Z", None)
    # A failed job whose file is gone cannot be retried: there is nothing to import.
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.FAILED)
    response = client.post(f"/api/v1/imports/{job.pk}/retry")
    assert response.status_code == 409
    assert "upload it again" in response.json()["message"]


def test_unfinished_jobs_keep_their_files(world, tmp_path, settings):
    staff = make_user(Role.COMMUNITY_STAFF, STREET_1)
    with days_on(0):
        job = import_job_create(by=staff, kind="persons",
                                upload=upload_of(persons_xlsx(tmp_path / "a.xlsx", GOOD)))
    with days_on(365):
        purge()
    job.refresh_from_db()
    assert job.file_removed is None
    assert job.folder.is_dir()


@pytest.mark.django_db
def test_contacts_on_public_reports_are_cleared_after_the_event_closed(settings):
    settings.WANGGE_PUBLIC_CONTACT_RETENTION_DAYS = 90
    loop = make_loop()
    house = make_building("420102001001001", name="幸福里3栋")

    def report(description: str) -> Event:
        return public_report_file(
            prefix=COMMUNITY_1, category=loop.category, description=description, building=house,
            contact_name="王女士", contact_phone="13812345678", contact_email="w@example.org",
            device_id="phone-1", account_id="acct-1")

    with days_on(0):
        closed, still_open = report("井盖缺失"), report("路灯不亮")
    Event.objects.filter(pk=closed.pk).update(state=State.CLOSED,
                                              closed_at=START + datetime.timedelta(days=5))
    with days_on(94.9):
        assert "cleared the contacts of 0 public reports closed over 90 days ago" in purge()
    with days_on(95.1):
        assert "cleared the contacts of 1 public reports" in purge()
    cleared = PublicReport.objects.get(event=closed)
    assert [cleared.contact_name, cleared.contact_phone, cleared.contact_email,
            cleared.device_id, cleared.account_id] == ["", "", "", "", ""]
    assert cleared.source == "page"  # the report stays, and its event
    assert Event.objects.get(pk=closed.pk).description == "井盖缺失"
    kept = PublicReport.objects.get(event=still_open)  # open: it may still need a call
    assert kept.contact_phone == "13812345678"


def test_purge_can_be_handed_to_the_worker(db):
    out = io.StringIO()
    call_command("purge", "--enqueue", stdout=out)
    queued = DBTaskResult.objects.get()
    assert out.getvalue() == f"Enqueued {queued.id}.\n"
    assert queued.task_path == purge_task.module_path
