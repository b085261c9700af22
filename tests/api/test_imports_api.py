"""POST /imports (multipart) answers 202 with the job; GET /imports/{id} follows it to its
summary; GET /imports/{id}/rejects is the rejects workbook. A job is its uploader's alone."""

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.factories import STREET_1, make_user
from tests.imports.uploads import BAD, GOOD, immediate_tasks, persons_xlsx
from wangge.foundation.api_support import XLSX
from wangge.foundation.permissions import Role
from wangge.imports.models import ImportJob
from wangge.people.models import Person

__all__ = ["immediate_tasks"]


@pytest.fixture
def staff(world):
    return make_user(Role.COMMUNITY_STAFF, STREET_1)


def post_file(api, path, **fields):
    with path.open("rb") as file:
        return api.client.post("/api/v1/imports", {"file": file, "kind": "persons", **fields},
                               headers=api.headers)


def test_upload_answers_202_and_the_job_runs(api_as, staff, tmp_path, immediate_tasks,
                                             django_capture_on_commit_callbacks):
    api = api_as(staff, token=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(api, persons_xlsx(tmp_path / "名单.xlsx", GOOD + BAD),
                             partial="true", department="民政局")
    assert response.status_code == 202
    job = response.json()
    assert (job["file"], job["kind"], job["partial"], job["department"]) == (
        "名单.xlsx", "persons", True, "民政局")
    status = api.get(f"/imports/{job['id']}").json()
    assert status["status"] == "imported"
    summary = {key: status["summary"][key]
               for key in ("rows", "created", "updated", "unchanged", "rejected", "warned")}
    assert summary == {"rows": 4, "created": 2, "updated": 0, "unchanged": 0,
                       "rejected": 2, "warned": 0}
    assert status["progress"] == {"rows": 4, "expected": 4}
    assert status["rejects"] == f"/api/v1/imports/{job['id']}/rejects"
    assert Person.objects.count() == 2
    rejects = api.get(f"/imports/{job['id']}/rejects")
    assert rejects.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(rejects.streaming_content))).active
    assert [row[1] for row in list(sheet.values)[1:]] == ["王芳", "赵磊"]


def test_a_queued_job_reports_its_state(api_as, staff, tmp_path):
    api = api_as(staff)
    job = post_file(api, persons_xlsx(tmp_path / "a.xlsx", GOOD)).json()
    assert job["status"] == "queued"
    assert job["rejects"] is None
    assert api.get(f"/imports/{job['id']}/rejects").status_code == 404


def test_an_unreadable_file_fails_with_a_message(api_as, staff, tmp_path, immediate_tasks,
                                                 django_capture_on_commit_callbacks):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not a workbook")
    api = api_as(staff, token=True)
    with django_capture_on_commit_callbacks(execute=True):
        job = post_file(api, broken).json()
    status = api.get(f"/imports/{job['id']}").json()
    assert status["status"] == "failed"
    assert "broken.xlsx" in status["error"]


def test_bad_uploads_are_422_with_the_field(api_as, staff, tmp_path):
    api = api_as(staff, token=True)
    text = tmp_path / "notes.txt"
    text.write_text("姓名\n")
    response = post_file(api, text)
    assert response.status_code == 422
    assert "file" in response.json()["errors"]
    response = post_file(api, persons_xlsx(tmp_path / "a.xlsx", GOOD), kind="spaceships")
    assert response.status_code == 422
    assert "kind" in response.json()["errors"]
    missing = api.client.post("/api/v1/imports", {"kind": "persons"}, headers=api.headers)
    assert missing.status_code == 422


def test_a_role_that_may_not_import_gets_403(api_as, world, tmp_path):
    api = api_as(make_user(Role.GRID_WORKER, STREET_1), token=True)
    response = post_file(api, persons_xlsx(tmp_path / "a.xlsx", GOOD))
    assert response.status_code == 403
    assert response.json()["message"]


def test_another_users_job_is_404(api_as, staff, tmp_path):
    job = post_file(api_as(staff, token=True), persons_xlsx(tmp_path / "a.xlsx", GOOD)).json()
    other = api_as(make_user(Role.COMMUNITY_STAFF, STREET_1), token=True)
    assert other.get(f"/imports/{job['id']}").status_code == 404
    assert other.get(f"/imports/{job['id']}/rejects").status_code == 404


def test_a_rejects_workbook_no_longer_kept_is_a_404_that_says_so(
        api_as, staff, tmp_path, immediate_tasks, django_capture_on_commit_callbacks):
    api = api_as(staff, token=True)
    with django_capture_on_commit_callbacks(execute=True):
        job = post_file(api, persons_xlsx(tmp_path / "名单.xlsx", GOOD + BAD),
                        partial="true").json()
    Path(ImportJob.objects.get(pk=job["id"]).rejects.path).unlink()
    api.client.raise_request_exception = False
    response = api.get(f"/imports/{job['id']}/rejects", **{"Accept-Language": "en"})
    assert response.status_code == 404
    assert "The rejects workbook of this import is no longer kept" in response.json()["message"]


def test_a_spreadsheet_bomb_uploaded_through_the_api_fails_with_the_reason(
        api_as, staff, tmp_path, immediate_tasks, django_capture_on_commit_callbacks):
    from tests.spreadsheets.test_limits import whitespace_bomb

    api = api_as(staff, token=True)
    api.headers["Accept-Language"] = "en"  # the job speaks the language it was uploaded in
    with django_capture_on_commit_callbacks(execute=True):
        job = post_file(api, whitespace_bomb(tmp_path / "bomb.xlsx", 64)).json()
    status = api.get(f"/imports/{job['id']}", **{"Accept-Language": "en"}).json()
    assert status["status"] == "failed"
    assert "possible decompression bomb" in status["error"]
    assert not Person.objects.exists()


def test_each_kind_has_a_template_declared_as_xlsx(api_as, staff, client):
    api = api_as(staff)
    response = api.get("/import-templates/dwellings")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert b"".join(response.streaming_content).startswith(b"PK")
    assert api.get("/import-templates/nothing").status_code == 404
    operation = client.get("/api/v1/openapi.json").json()["paths"][
        "/api/v1/import-templates/{kind}"]["get"]
    assert XLSX in operation["responses"]["200"]["content"]
