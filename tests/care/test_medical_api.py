"""Remote medical help through the API: filed, answered step by step, the queue's order;
who may do what, and 404 for a request outside the caller's sight."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from tests.api.helpers import ApiClient
from tests.factories import COMMUNITY_1, GRID_A, make_user
from wangge.access.services import token_create
from wangge.events.models import State
from wangge.foundation.permissions import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_of():
    def login(user) -> ApiClient:
        return ApiClient(Client(), {"Authorization": f"Bearer {token_create(user=user)}",
                                    "Accept-Language": "en"})

    return login


def test_a_request_through_the_api(centre, api_of):
    care, health_centre, doctor = centre
    worker, staff = api_of(care.worker), api_of(doctor)
    filed = worker.post("/care/medical", {"person_id": care.alone.pk, "symptoms": "胸闷",
                                          "medicines": "硝酸甘油", "urgency": "urgent"})
    assert filed.status_code == 201, filed.content
    body = filed.json()
    assert (body["centre_id"], body["state"], body["priority"], body["under_measure"]) == (
        health_centre.pk, State.DISPATCHED, "urgent", False)
    path = f"/care/medical/{body['id']}"
    assert [item["id"] for item in staff.get("/care/medical").json()["items"]] == [body["id"]]
    at = (timezone.now() + datetime.timedelta(hours=1)).isoformat()
    assert worker.post(f"{path}/appointment", {"kind": "video", "at": at}).status_code == 403
    answered = staff.post(f"{path}/appointment", {"kind": "video", "at": at})
    assert answered.json()["state"] == State.HANDLING
    assert staff.post(f"{path}/delivery", {"courier": "volunteer"}).status_code == 200
    follow_up = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    assert staff.post(f"{path}/follow-up", {"on": follow_up}).status_code == 422
    assert worker.post(f"{path}/delivered", {}).json()["delivered_at"] is not None
    done = staff.post(f"{path}/follow-up", {"on": follow_up})
    assert (done.json()["state"], done.json()["follow_up_on"]) == (State.FEEDBACK, follow_up)
    # Another centre's staff, a volunteer: nothing to see.
    other = api_of(make_user(Role.DEPARTMENT_STAFF, COMMUNITY_1))
    assert other.get(path).status_code == 404
    assert api_of(care.outsider).get(path).status_code == 404
    # Nobody serves grid C.
    refused = api_of(care.outsider).post("/care/medical", {
        "person_id": care.far.pk, "symptoms": "咳嗽"})
    assert refused.status_code == 422
    assert "person_id" in refused.json()["errors"]


@pytest.mark.parametrize(("role", "reads", "files"), [
    (Role.GRID_WORKER, 200, 201), (Role.COMMUNITY_STAFF, 200, 201),
    (Role.STREET_OFFICER, 200, 403), (Role.DEPARTMENT_STAFF, 200, 403),
    (Role.VOLUNTEER, 200, 403), (Role.RESIDENT, 403, 403), (Role.AUDITOR, 200, 403),
])
def test_who_may_do_what(centre, api_of, role, reads, files):
    care, _health_centre, _doctor = centre
    api = api_of(make_user(role, GRID_A))
    assert api.get("/care/medical").status_code == reads
    answer = api.post("/care/medical", {"person_id": care.alone.pk, "symptoms": "咳嗽"})
    assert answer.status_code == files, answer.content
