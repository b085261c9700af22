"""Reads through the API, recorded: X-Purpose for the full ID, searches, exports, rejects;
the auditor's endpoints; appends from several connections at once never fork the chain."""

import datetime
import threading

import pytest
from django.db import connection

from tests.factories import COMMUNITY_1, GRID_A, STREET_1, make_person, make_user, resident_id
from tests.imports.uploads import BAD, GOOD, immediate_tasks, persons_xlsx, upload_of
from wangge.auditlog import chain
from wangge.auditlog.models import Entry, Kind
from wangge.auditlog.services import access_record, term_digest
from wangge.foundation.permissions import Role
from wangge.imports.jobs import import_job_create
from wangge.reports.services import report_templates_install

__all__ = ["immediate_tasks"]
ID = resident_id(datetime.date(1971, 9, 9))
PURPOSE = {"X-Purpose": "%E6%A0%B8%E5%AE%9E%E8%BA%AB%E4%BB%BD"}  # 核实身份, percent-encoded


@pytest.fixture
def resident(world):
    return make_person(GRID_A, name="甲居民", id_number=ID, phone="13912345678")


@pytest.fixture
def worker(world):
    return make_user(Role.GRID_WORKER, GRID_A, username="worker-a")


def reads(kind):
    return list(Entry.objects.filter(kind=kind).order_by("sequence"))


def test_without_a_purpose_the_api_answers_the_id_masked(api_as, resident, worker):
    api = api_as(worker, token=True)
    person = api.get(f"/persons/{resident.pk}").json()
    assert person["id_number"] == ID[:4] + "*" * 10 + ID[-4:]
    assert person["birth_date"] == "1971"
    assert person["phone"] == "13912345678"
    [entry] = reads(Kind.VIEW)
    assert (entry.fields, entry.purpose) == ("health_status,phone,vulnerable_tags", "")


def test_with_a_purpose_the_id_is_shown_and_the_reveal_logged(api_as, resident, worker):
    api = api_as(worker, token=True)
    person = api.get(f"/persons/{resident.pk}", **PURPOSE).json()
    assert (person["id_number"], person["birth_date"]) == (ID, "1971-09-09")
    [entry] = reads(Kind.REVEAL)
    assert entry.purpose == "核实身份"
    assert entry.record_ids == [resident.pk]
    assert "id_number" in entry.fields


def test_a_purpose_sent_with_a_write_reveals_nothing(api_as, resident, worker):
    # Only a read logs its purpose; a write that answers the person answers it masked.
    api = api_as(worker, token=True)
    person = api.patch(f"/persons/{resident.pk}", {"occupation": "教师", "reason": "更正"},
                       **PURPOSE).json()
    assert (person["id_number"], person["birth_date"]) == (ID[:4] + "*" * 10 + ID[-4:], "1971")
    assert not reads(Kind.REVEAL)


def test_no_api_reveal_without_its_entry(api_as, resident, worker, monkeypatch):
    from django.db import OperationalError

    api = api_as(worker, token=True)

    def locked(values):
        raise OperationalError("database is locked")

    monkeypatch.setattr(chain, "append", locked)
    response = api.get(f"/persons/{resident.pk}", **PURPOSE)
    assert response.status_code == 503
    assert ID not in response.content.decode()
    # An ordinary read goes on; its entry waits in the spool.
    assert api.get(f"/persons/{resident.pk}").status_code == 200


def test_a_search_by_phone_is_one_entry_with_its_digest_and_count(api_as, resident, worker):
    api = api_as(worker, token=True)
    found = api.get("/persons", {"q": "139-1234-5678"}).json()
    assert found["count"] == 1
    [entry] = reads(Kind.SEARCH)
    assert entry.term_digest == term_digest("13912345678")
    assert (entry.count, entry.record_ids) == (1, [resident.pk])
    api.get("/persons", {"q": ID})
    assert reads(Kind.SEARCH)[-1].term_digest == term_digest(ID)


def test_the_openapi_document_describes_x_purpose(client, db):
    operations = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/persons", "/api/v1/persons/{id}",
                 "/api/v1/report-templates/{slug}/export"):
        [header] = [parameter for parameter in operations[path]["get"]["parameters"]
                    if parameter["in"] == "header"]
        assert header["name"] == "X-Purpose"
        assert "access log" in header["description"]


def test_an_api_export_needs_a_purpose_and_is_logged_with_its_count(api_as, world):
    report_templates_install()
    for _ in range(3):
        make_person(GRID_A, vulnerable_tags=["elderly_alone"],
                    id_number=resident_id(datetime.date(1940, 1, 1)))
    api = api_as(make_user(Role.COMMUNITY_STAFF, COMMUNITY_1), token=True)
    path = "/report-templates/civil-affairs-elderly-alone/export"
    refused = api.get(path, {"scope": COMMUNITY_1})
    assert refused.status_code == 422
    assert "X-Purpose" in refused.json()["errors"]
    assert api.get(path, {"scope": COMMUNITY_1}, **PURPOSE).status_code == 200
    [entry] = reads(Kind.EXPORT)
    assert (entry.count, entry.purpose) == (3, "核实身份")


def test_a_rejects_download_is_logged(api_as, world, tmp_path, immediate_tasks,
                                      django_capture_on_commit_callbacks):
    staff = make_user(Role.COMMUNITY_STAFF, STREET_1)
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(by=staff, kind="persons", partial=True,
                                upload=upload_of(persons_xlsx(tmp_path / "a.xlsx", GOOD + BAD)))
    assert api_as(staff, token=True).get(f"/imports/{job.pk}/rejects").status_code == 200
    [entry] = reads(Kind.EXPORT)
    assert entry.count == 2
    assert entry.target.startswith(f"import rejects {job.pk}")


def test_the_auditor_reads_the_log_and_volumes(api_as, resident, worker):
    api_as(worker, token=True).get(f"/persons/{resident.pk}", **PURPOSE)
    auditor = api_as(make_user(Role.AUDITOR, STREET_1), token=True)
    found = auditor.get("/access-log", {"username": "worker-a", "kind": "reveal"}).json()
    assert found["count"] == 1
    item = found["items"][0]
    assert (item["purpose"], item["record_ids"]) == ("核实身份", [resident.pk])
    assert "id_number" in item["fields"]
    volumes = auditor.get("/access-log/volumes").json()
    assert {volume["username"] for volume in volumes} == {"worker-a"}
    assert auditor.get("/access-log", {"start": "2026-13-01"}).status_code == 422
    assert api_as(worker, token=True).get("/access-log").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_writers_at_once_never_fork_the_chain(world):
    reader = make_user(Role.DISTRICT_ADMIN, STREET_1, username="reader")
    errors = []

    def write() -> None:
        try:
            for number in range(10):
                access_record(by=reader, kind=Kind.VIEW, request=None, fields=["phone"],
                              record_ids=[number], required=True)
        except Exception as error:
            errors.append(repr(error.__cause__ or error))
        finally:
            connection.close()

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Entry.objects.filter(kind=Kind.VIEW).count() == 40
    assert chain.verify().intact
