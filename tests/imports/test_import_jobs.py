"""Uploads imported in the background: the job, the task (inline and through the worker), the
summary, the rejects workbook, failures and who sees which job."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import translation
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from tests.factories import STREET_1, make_user
from tests.imports.uploads import BAD, GOOD, immediate_tasks, persons_xlsx, upload_of
from wangge.foundation.permissions import Role
from wangge.imports.jobs import import_job_create, import_jobs_visible_to, importable_kinds
from wangge.imports.models import ImportJob
from wangge.imports.services import ImportSummary
from wangge.imports.tasks import (
    JobProgress,
    estimated_rows,
    import_job_run,
    job_progress,
    job_progress_write,
)
from wangge.linkage.tasks import link_after_import_task
from wangge.people.models import Person

__all__ = ["immediate_tasks"]


@pytest.fixture
def staff(world):
    return make_user(Role.COMMUNITY_STAFF, STREET_1, username="staff-1")


def create(staff, path, **options):
    return import_job_create(by=staff, upload=upload_of(path), kind="persons", **options)


# The worker closes database connections between tasks, as in production: no test transaction.
@pytest.mark.django_db(transaction=True)
def test_the_worker_imports_an_upload(staff, tmp_path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = create(staff, persons_xlsx(tmp_path / "名单.xlsx", GOOD), department="卫健委")
    assert job.status == ImportJob.Status.QUEUED
    assert job.file_name == "名单.xlsx"
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.IMPORTED
    assert job.rows_expected == 4  # title, header and two rows, from the sheet's dimension
    assert job_progress(job) == JobProgress(rows=2, expected=2)  # the summary's rows
    assert {key: job.summary[key] for key in ("rows", "created", "rejected")} == {
        "rows": 2, "created": 2, "rejected": 0}
    assert not job.rejects
    assert not job.progress_file.exists()
    history = Person.objects.get(name="张伟").history.first()
    assert "名单.xlsx" in history.history_change_reason
    assert "卫健委" in history.history_change_reason
    assert history.history_user == staff
    # The same worker then looked for records the file may have doubled, in staff's street.
    linked = DBTaskResult.objects.get(task_path=link_after_import_task.module_path)
    assert (linked.status, linked.args_kwargs["args"]) == ("SUCCESSFUL", [[STREET_1]])


def test_atomic_upload_with_rejected_rows_writes_nothing_and_keeps_the_rejects(
    staff, tmp_path, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = create(staff, persons_xlsx(tmp_path / "a.xlsx", GOOD + BAD))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.REJECTED
    assert job.summary["rejected"] == 2
    assert job.summary["created"] == 0
    assert not Person.objects.exists()
    assert [line["row"] for line in job.summary["rejections"]] == [5, 6]
    rows = list(load_workbook(job.rejects.path).active.values)
    assert [row[0] for row in rows[1:]] == [5, 6]
    assert rows[1][1] == "王芳"
    assert "被电子表格转成了数字" in rows[1][-1]  # the uploader's language (zh-hans)
    assert "420102002001001" in rows[2][-1]  # outside the uploader's jurisdiction


def test_partial_upload_writes_the_valid_rows(staff, tmp_path, immediate_tasks,
                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = create(staff, persons_xlsx(tmp_path / "a.xlsx", GOOD + BAD), partial=True)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.IMPORTED
    summary = {key: job.summary[key] for key in ("rows", "created", "rejected")}
    assert summary == {"rows": 4, "created": 2, "rejected": 2}
    assert Person.objects.count() == 2


def test_an_unreadable_file_fails_clearly(staff, tmp_path, immediate_tasks,
                                          django_capture_on_commit_callbacks):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 this is not a workbook")
    with django_capture_on_commit_callbacks(execute=True):
        job = create(staff, broken)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "broken.xlsx" in job.error
    assert "Traceback" not in job.error
    assert not Person.objects.exists()


def test_uploads_are_checked_before_they_are_kept(staff, tmp_path, settings):
    text = tmp_path / "notes.txt"
    text.write_text("姓名\n张伟\n")
    with pytest.raises(ValidationError) as error:
        create(staff, text)
    assert "file" in error.value.message_dict
    settings.WANGGE_UPLOAD_MAX_MB = 0
    with translation.override("en"), pytest.raises(ValidationError, match="larger than 0 MB"):
        create(staff, persons_xlsx(tmp_path / "a.xlsx", GOOD))
    with pytest.raises(ValidationError) as error:
        import_job_create(by=staff, upload=upload_of(text), kind="spaceships")
    assert "kind" in error.value.message_dict
    assert not ImportJob.objects.exists()


def test_who_may_import_what(world):
    assert importable_kinds(make_user(Role.COMMUNITY_STAFF, STREET_1)) >= ["persons"]
    assert "persons" not in importable_kinds(make_user(Role.STREET_OFFICER, STREET_1))
    for role in (Role.GRID_WORKER, Role.DEPARTMENT_STAFF, Role.VOLUNTEER, Role.RESIDENT):
        user = make_user(role, STREET_1)
        assert importable_kinds(user) == []
        with pytest.raises(PermissionDenied):
            import_jobs_visible_to(user)


def test_a_role_that_may_not_write_persons_cannot_upload_them(world, tmp_path):
    officer = make_user(Role.STREET_OFFICER, STREET_1)
    with pytest.raises(PermissionDenied):
        create(officer, persons_xlsx(tmp_path / "a.xlsx", GOOD))


def test_each_user_sees_only_their_own_jobs(staff, tmp_path):
    mine = create(staff, persons_xlsx(tmp_path / "a.xlsx", GOOD))
    colleague = make_user(Role.COMMUNITY_STAFF, STREET_1)
    assert list(import_jobs_visible_to(staff)) == [mine]
    assert not import_jobs_visible_to(colleague).exists()


def test_progress_is_read_while_the_import_runs(staff, tmp_path):
    job = create(staff, persons_xlsx(tmp_path / "a.xlsx", GOOD))
    job.status = ImportJob.Status.RUNNING
    job_progress_write(job, ImportSummary(rows=2000, header_row=2))
    assert job_progress(job) == JobProgress(rows=2000, expected=None)
    # A job delivered twice runs once.
    job.save()
    assert import_job_run(job.pk) == ImportJob.Status.RUNNING


def test_row_estimates(tmp_path):
    csv = tmp_path / "a.csv"
    csv.write_bytes("姓名,身份证号\r\n张伟,1\r\n李娜,2\r\n".encode("gbk"))
    assert estimated_rows(csv) == 3
    assert estimated_rows(persons_xlsx(tmp_path / "a.xlsx", GOOD)) == 4
    xls = tmp_path / "a.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    assert estimated_rows(xls) is None
    assert estimated_rows(tmp_path / "missing.csv") is None


def test_a_spreadsheet_bomb_fails_the_job_with_the_reason(staff, tmp_path, immediate_tasks,
                                                          django_capture_on_commit_callbacks):
    from tests.spreadsheets.test_limits import whitespace_bomb

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        job = create(staff, whitespace_bomb(tmp_path / "bomb.xlsx", 64), language="en")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.error.startswith("bomb.xlsx is compressed ")
    assert "possible decompression bomb" in job.error
    assert not Person.objects.exists()
