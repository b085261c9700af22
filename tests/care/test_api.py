"""The care API: the visits due, a visit recorded (needs help opens an event), the visits
made, the on-time share per grid; 403 for roles that may not, nothing (or 422) outside the
jurisdiction; the OpenAPI document says what each answers."""

import pytest
import time_machine
from django.test import Client

from tests.api.helpers import ApiClient
from tests.care.test_visits import day
from tests.factories import COMMUNITY_1, GRID_A, GRID_C, make_user
from wangge.access.services import token_create
from wangge.care.models import CareVisit
from wangge.events.models import Event
from wangge.foundation.permissions import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def care(world):
    from tests.care.conftest import make_care

    with time_machine.travel(day(0), tick=False):
        return make_care()


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(day(9), tick=False):
        yield


@pytest.fixture
def api_of():
    def login(user) -> ApiClient:
        return ApiClient(Client(), {"Authorization": f"Bearer {token_create(user=user)}",
                                    "Accept-Language": "en"})

    return login


def test_a_visit_through_the_api(care, api_of):
    api = api_of(care.worker)
    rules = api.get("/care/rules").json()
    assert {rule["population"]: rule["interval_days"] for rule in rules} == {
        "older_people": 7, "disability": 30, "chronic_illness": 30, "left_behind_child": 14}
    due = api.get("/care/due").json()
    assert due["count"] == 1
    [entry] = due["items"]
    assert (entry["person_id"], entry["rule_id"], entry["overdue"], entry["days_overdue"],
            entry["last_visit"]) == (care.alone.pk, care.weekly.pk, True, 2, None)
    refused = api.post("/care/visits", {"person_id": care.alone.pk, "outcome": "needs_help"})
    assert refused.status_code == 422
    assert "note" in refused.json()["errors"]
    made = api.post("/care/visits", {"person_id": care.alone.pk, "outcome": "needs_help",
                                     "note": "腿疼，需要陪同就医"})
    assert made.status_code == 201, made.content
    event = Event.objects.get()
    assert made.json()["event_id"] == event.pk
    assert (made.json()["rule_id"], made.json()["visitor_id"]) == (care.weekly.pk,
                                                                   care.worker.pk)
    assert event.channel == "api"
    assert api.get("/care/due").json() == {"count": 0, "items": []}
    listed = api.get("/care/visits", {"person_id": care.alone.pk}).json()
    assert [item["id"] for item in listed["items"]] == [made.json()["id"]]


def test_a_visit_refused_in_the_api(care, api_of):
    api = api_of(care.worker)
    # Under no rule, or not under the rule named: 422 on rule_id.
    for body in ({"person_id": care.with_family.pk, "outcome": "well"},
                 {"person_id": care.alone.pk, "rule_id": care.monthly.pk, "outcome": "well"}):
        answer = api.post("/care/visits", body)
        assert answer.status_code == 422
        assert "rule_id" in answer.json()["errors"]
    # Outside the jurisdiction: the same 422 as a person who does not exist.
    answer = api.post("/care/visits", {"person_id": care.far.pk, "outcome": "well"})
    assert answer.status_code == 422
    assert "person_id" in answer.json()["errors"]
    assert api.post("/care/visits", {"person_id": care.alone.pk,
                                     "outcome": "fine"}).status_code == 422
    assert not CareVisit.objects.exists()


def test_the_on_time_share_per_grid(care, api_of):
    api_of(care.outsider).post("/care/visits", {"person_id": care.far.pk, "outcome": "well"})
    district = api_of(care.district)
    assert district.get("/care/on-time").json() == [
        {"code": GRID_A, "name": "民意一网格", "people": 2, "on_time": 1, "share": 0.5},
        {"code": GRID_C, "name": "天声一网格", "people": 1, "on_time": 1, "share": 1.0}]
    assert [row["code"] for row in district.get(
        "/care/on-time", {"code": COMMUNITY_1}).json()] == [GRID_A]
    assert api_of(care.worker).get("/care/on-time").json()[0]["code"] == GRID_A
    assert len(api_of(care.worker).get("/care/on-time").json()) == 1
    assert district.get("/care/on-time", {"on": "2099-01-01"}).status_code == 422


@pytest.mark.parametrize(("role", "reads", "records"), [
    (Role.GRID_WORKER, 200, 201), (Role.COMMUNITY_STAFF, 200, 201),
    (Role.DISTRICT_ADMIN, 200, 201), (Role.STREET_OFFICER, 200, 403),
    (Role.DEPARTMENT_STAFF, 403, 403), (Role.VOLUNTEER, 403, 403), (Role.RESIDENT, 403, 403),
    (Role.AUDITOR, 403, 403), (Role.SYSTEM_ADMIN, 403, 403), (Role.SECURITY_ADMIN, 403, 403),
])
def test_who_may_do_what(care, api_of, role, reads, records):
    api = api_of(make_user(role, GRID_A))
    for path in ("/care/rules", "/care/due", "/care/visits", "/care/on-time"):
        assert api.get(path).status_code == reads, path
    answer = api.post("/care/visits", {"person_id": care.alone.pk, "outcome": "well"})
    assert answer.status_code == records, answer.content
    if reads == 200:
        # Outside the jurisdiction: nothing listed.
        outside = api_of(make_user(role, GRID_C))
        assert [item["person_id"] for item in outside.get("/care/due").json()["items"]] == [
            care.far.pk]
        assert outside.get("/care/visits").json()["count"] == 0


def test_the_openapi_document_says_what_care_answers(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    post = paths["/api/v1/care/visits"]["post"]["responses"]
    assert set(post) == {"201", "400", "401", "403", "422"}
    assert set(paths["/api/v1/care/due"]["get"]["responses"]) == {"200", "401", "403", "422"}
    assert set(paths["/api/v1/care/rules"]["get"]["responses"]) == {"200", "401", "403"}
