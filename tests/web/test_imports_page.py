"""The upload page: who may use it, the upload, the progress part htmx polls, the summary and
the rejects download, and that a job is its uploader's alone."""

import datetime
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import GRID_A, STREET_1, make_user, resident_id
from tests.imports.uploads import BAD, GOOD, immediate_tasks, persons_xlsx
from tests.web.test_browser import PASSWORD, SHOTS, SIZES, go_by_menu, log_in
from wangge.foundation.permissions import Role
from wangge.imports.liveness import heartbeat
from wangge.imports.models import ImportJob
from wangge.imports.services import ImportSummary
from wangge.imports.tasks import job_progress_write
from wangge.people.models import Person

__all__ = ["immediate_tasks"]


@pytest.fixture
def staff_client(client, world):
    client.force_login(make_user(Role.COMMUNITY_STAFF, STREET_1, username="staff-1"))
    return client


def upload(client, path, **fields):
    with path.open("rb") as file:
        return client.post(reverse("web:imports"), {"file": file, "kind": "persons",
                                                    "partial": "0", **fields})


def test_the_upload_form_offers_what_the_role_may_import(staff_client):
    page = staff_client.get(reverse("web:imports")).content.decode()
    assert 'type="file"' in page
    assert 'value="persons"' in page
    assert 'enctype="multipart/form-data"' in page
    assert reverse("web:imports") in page  # the navigation links to it


@pytest.mark.parametrize("role", [Role.GRID_WORKER, Role.DEPARTMENT_STAFF, Role.VOLUNTEER])
def test_roles_that_do_not_import_are_refused(client, world, role):
    client.force_login(make_user(role, STREET_1))
    assert client.get(reverse("web:imports")).status_code == 403
    assert reverse("web:imports") not in client.get("/").content.decode()


def test_upload_then_summary_then_rejects(staff_client, tmp_path, immediate_tasks,
                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(staff_client, persons_xlsx(tmp_path / "名单.xlsx", GOOD + BAD),
                          partial="1", department="卫健委")
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("web:import_job", args=[job.pk])
    page = staff_client.get(response.url).content.decode()
    assert "名单.xlsx" in page
    assert "hx-trigger" not in page  # finished: no more polling
    assert 'class="counts summary"' in page
    assert Person.objects.count() == 2
    rejects = staff_client.get(reverse("web:import_rejects", args=[job.pk]))
    assert rejects["Content-Disposition"].startswith("attachment")
    path = tmp_path / "rejects.xlsx"
    path.write_bytes(b"".join(rejects.streaming_content))
    assert [row[1] for row in list(load_workbook(path).active.values)[1:]] == ["王芳", "赵磊"]


def test_a_running_job_polls_its_progress(staff_client, tmp_path):
    response = upload(staff_client, persons_xlsx(tmp_path / "a.xlsx", GOOD))
    job = ImportJob.objects.get()
    page = staff_client.get(response.url).content.decode()
    assert 'hx-trigger="every 1s"' in page
    job.status, job.rows_expected = ImportJob.Status.RUNNING, 10002
    job.save()
    # A title and a header row above the data: 10,000 rows to read, not 10,002.
    job_progress_write(job, ImportSummary(rows=4000, header_row=2))
    with heartbeat(job):  # as a worker running it keeps
        part = staff_client.get(response.url, headers={"HX-Request": "true"}).content.decode()
    assert part.lstrip().startswith('<section id="progress"')
    assert '<progress max="10000" value="4000">' in part
    assert "<html" not in part


def test_an_unreadable_file_ends_in_a_clear_failure(staff_client, tmp_path, immediate_tasks,
                                                    django_capture_on_commit_callbacks):
    broken = tmp_path / "broken.csv"
    broken.write_bytes(b"\x00\x01\x02 binary")
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(staff_client, broken)
    page = staff_client.get(response.url).content.decode()
    assert ImportJob.objects.get().status == ImportJob.Status.FAILED
    assert "broken.csv" in page
    assert "Traceback" not in page


def test_a_wrong_file_type_is_refused_on_the_form(staff_client, tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("姓名\n")
    response = upload(staff_client, text)
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert not ImportJob.objects.exists()


def test_someone_elses_job_is_not_found(staff_client, client, world, tmp_path):
    upload(staff_client, persons_xlsx(tmp_path / "a.xlsx", GOOD))
    job = ImportJob.objects.get()
    client.force_login(make_user(Role.COMMUNITY_STAFF, STREET_1))
    assert client.get(reverse("web:import_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("web:import_rejects", args=[job.pk])).status_code == 404
    assert "a.xlsx" not in client.get(reverse("web:imports")).content.decode()


@pytest.fixture
def worker_process(live_server):
    """`wangge db_worker` in its own process on the test database, as in production."""
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{database['NAME']}"
    else:
        url = urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{database['NAME']}").geturl()
    worker = subprocess.Popen(
        [sys.executable, "-m", "wangge.cli", "db_worker", "--no-reload", "--no-startup-delay",
         "--interval", "0.2"],
        env={**os.environ, "DATABASE_URL": url, "WANGGE_TASKS": "database"})
    yield worker
    worker.terminate()
    worker.wait(timeout=30)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_upload_a_workbook_and_download_the_rejects(in_browser, live_server, world,
                                                          worker_process, tmp_path):
    staff = make_user(Role.COMMUNITY_STAFF, STREET_1, username="staff-1")
    staff.set_password(PASSWORD)
    staff.save()
    workbook = persons_xlsx(tmp_path / "民意社区名单.xlsx", GOOD + BAD)
    base = live_server.url
    SHOTS.mkdir(exist_ok=True)

    def upload(chromium) -> tuple[list[str], Path]:
        page = chromium.new_page(viewport=SIZES["phone"], locale="zh-CN", accept_downloads=True)
        log_in(page, base, staff.username)
        go_by_menu(page, reverse("web:imports"))
        page.set_input_files("input[name=file]", str(workbook))
        page.fill("input[name=department]", "民政局")
        page.check("input[name=partial][value='1']")
        page.screenshot(path=SHOTS / "import-upload-phone.png", full_page=True)
        page.click("form.form button.primary")
        page.wait_for_url(re.compile(r"/imports/\d+/$"))
        # The page polls (htmx) until the worker has finished, then shows the summary.
        page.wait_for_selector("dl.summary", timeout=60_000)
        page.screenshot(path=SHOTS / "import-summary-phone.png", full_page=True)
        summary = page.locator("dl.summary dd").all_inner_texts()
        with page.expect_download() as download:
            page.click("a[href$='/rejects/']")
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        page.set_viewport_size(SIZES["desktop"])
        page.screenshot(path=SHOTS / "import-summary-desktop.png", full_page=True)
        page.close()
        return summary, saved

    summary, saved = in_browser(upload)
    # rows, created, updated, unchanged, rejected, warned
    assert summary == ["4", "2", "0", "0", "2", "0"]
    assert Person.objects.count() == 2
    job = ImportJob.objects.get()
    assert (job.status, job.summary["created"], job.summary["rejected"]) == ("imported", 2, 2)
    assert saved.name == "民意社区名单-rejects.xlsx"
    rows = list(load_workbook(saved).active.values)
    assert [row[1] for row in rows[1:]] == ["王芳", "赵磊"]

    # A job still running: its progress bar, as the poll draws it.
    running = ImportJob.objects.create(user=staff, kind="persons", file=job.file.name,
                                       status=ImportJob.Status.RUNNING, rows_expected=120_001)
    job_progress_write(running, ImportSummary(rows=48_000, header_row=1))

    def watch(chromium) -> str | None:
        page = chromium.new_page(viewport=SIZES["phone"], locale="zh-CN")
        log_in(page, base, staff.username)
        page.goto(f"{base}{reverse('web:import_job', args=[running.pk])}")
        page.screenshot(path=SHOTS / "import-running-phone.png", full_page=True)
        return page.get_attribute("progress", "value")

    with heartbeat(running):  # as the worker running it keeps, or the job reads as dead
        assert in_browser(watch) == "48000"


def test_a_rejects_workbook_no_longer_kept_is_a_404_that_says_so(
        staff_client, tmp_path, immediate_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        upload(staff_client, persons_xlsx(tmp_path / "名单.xlsx", GOOD + BAD), partial="1")
    job = ImportJob.objects.get()
    Path(job.rejects.path).unlink()
    staff_client.raise_request_exception = False
    response = staff_client.get(reverse("web:import_rejects", args=[job.pk]),
                                headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert "The rejects workbook of this import is no longer kept" in response.content.decode()
    assert "名单.xlsx" in response.content.decode()  # the job's own page


def test_the_upload_page_offers_each_kind_s_template(staff_client, tmp_path, client):
    page = staff_client.get(reverse("web:imports")).content.decode()
    link = reverse("web:import_template", args=["persons"])
    assert link in page
    response = staff_client.get(link)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    path = tmp_path / "t.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    assert load_workbook(path).worksheets[0]["A1"].value == "姓名"
    assert staff_client.get(reverse("web:import_template", args=["nothing"])).status_code == 404
    client.force_login(make_user(Role.GRID_WORKER, STREET_1))
    assert client.get(link).status_code == 403


def test_warnings_are_listed_on_the_job_page(staff_client, tmp_path, immediate_tasks,
                                             django_capture_on_commit_callbacks):
    header = ["姓名", "身份证号", "特殊群体", "网格编码"]
    young = resident_id(datetime.date(1997, 6, 1))
    path = tmp_path / "w.csv"
    path.write_text("\r\n".join(",".join(row) for row in [
        header, ["张伟", young, "独居老人", GRID_A]]) + "\r\n", encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(staff_client, path)
    job = ImportJob.objects.get()
    assert (job.status, job.summary["warned"]) == ("imported", 1)
    page = staff_client.get(response.url).content.decode()
    assert "特殊群体" in page
    assert job.summary["warnings"][0]["reason"] in page.replace("&#x27;", "'")
    assert reverse("web:import_rejects", args=[job.pk]) in page  # the Warnings sheet
