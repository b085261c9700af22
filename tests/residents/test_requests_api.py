"""The API of a resident's own requests: by session or token, their own only, every answer
declared in the OpenAPI."""

import pytest
from django.test import Client

from tests.api.helpers import ApiClient
from tests.factories import GRID_A, make_user
from wangge.access.services import token_create
from wangge.events.models import Event, State
from wangge.foundation.permissions import ROLE_ACTIONS, Action, Role
from wangge.residents.models import ResidentRequest

from .requests_world import ANSWER, answer_and_close, ask, make_requests

pytestmark = pytest.mark.django_db
ROUTES = ("/me/requests", "/me/requests/{id}", "/me/requests/{id}/rating")


@pytest.fixture
def world(db):
    return make_requests()


def as_token(user) -> ApiClient:
    return ApiClient(Client(), {"Authorization": f"Bearer {token_create(user=user)}",
                                "Accept-Language": "en"})


def test_file_read_and_rate_with_a_token(world):
    api = as_token(world.resident)
    refused = api.post("/me/requests", {"kind": "complaint", "text": ""})
    assert refused.status_code == 422
    made = api.post("/me/requests", {"kind": "complaint", "text": "楼道灯坏了一个月"})
    assert made.status_code == 201
    body = made.json()
    filed = ResidentRequest.objects.get()
    assert (body["id"], body["number"], body["kind"], body["state"]) == (
        filed.pk, filed.event.number, "complaint", "reported")
    assert body["state_words"] == "Received"
    assert body["deadline"] is not None
    assert (body["answers"], body["ratings"], body["rating_open"]) == ([], [], False)
    too_early = api.post(f"/me/requests/{filed.pk}/rating", {"satisfaction": "satisfied"})
    assert too_early.status_code == 422
    answer_and_close(world, filed, world.loop.police)
    listed = api.get("/me/requests").json()
    assert listed["count"] == 1
    assert listed["items"][0]["rating_open"] is True
    assert listed["items"][0]["deadline"] is None
    one = api.get(f"/me/requests/{filed.pk}").json()
    assert [answer["text"] for answer in one["answers"]] == [ANSWER]
    assert one["state_words"] == "Closed"
    assert "police" not in str(one)
    assert world.loop.police.name not in str(one)
    rated = api.post(f"/me/requests/{filed.pk}/rating",
                     {"satisfaction": "unsatisfied", "comment": "灯还是不亮"})
    assert rated.status_code == 201
    assert rated.json()["reopened"] is True
    assert rated.json()["ratings"][0]["reopened"] is True
    assert rated.json()["state"] == State.ACCEPTED
    again = api.post(f"/me/requests/{filed.pk}/rating", {"satisfaction": "satisfied"})
    assert again.status_code == 422
    bad = api.post(f"/me/requests/{filed.pk}/rating", {"satisfaction": "so-so"})
    assert bad.status_code == 422


def test_by_session_only_their_own(world, client):
    filed = ask(world.resident)
    client.force_login(world.neighbour)
    api = ApiClient(client)
    assert api.get(f"/me/requests/{filed.pk}").status_code == 404
    assert api.post(f"/me/requests/{filed.pk}/rating",
                    {"satisfaction": "satisfied"}).status_code == 404
    assert api.get("/me/requests").json()["count"] == 0
    for huge in (2**63, 2**64):
        assert api.get(f"/me/requests/{huge}").status_code in (404, 422)
    client.force_login(world.resident)
    assert api.get(f"/me/requests/{filed.pk}").status_code == 200
    assert api.get("/me/requests").json()["count"] == 1
    assert api.get(f"/me/requests/{2**63 - 1}").status_code == 404


def test_bounds_of_the_body(world):
    api = as_token(world.resident)
    assert api.post("/me/requests", {"kind": "complaint",
                                     "text": "x" * 1001}).status_code == 422
    assert api.post("/me/requests", {"kind": "praise", "text": "好"}).status_code == 422
    for _ in range(5):
        assert api.post("/me/requests", {"kind": "question", "text": "问"}).status_code == 201
    sixth = api.post("/me/requests", {"kind": "question", "text": "问"})
    assert sixth.status_code == 422
    assert "text" in sixth.json()["errors"]
    assert Event.objects.count() == 5


@pytest.mark.parametrize("role", Role.values)
def test_role_by_role(world, role, client):
    client.force_login(make_user(role, GRID_A))
    own = Action.VIEW_OWN_RECORD in ROLE_ACTIONS[role]
    listed = client.get("/api/v1/me/requests")
    assert listed.status_code == (200 if own else 403)
    if own:
        assert listed.json()["count"] == 0
    # A resident's account linked to no person files nothing.
    made = client.post("/api/v1/me/requests", {"kind": "need", "text": "需要帮助"},
                       content_type="application/json")
    assert made.status_code == 403
    assert client.get("/api/v1/me/requests/1").status_code == (404 if own else 403)


def test_every_answer_is_declared(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    made = paths["/api/v1/me/requests"]["post"]["responses"]
    assert {"201", "403", "422"} <= set(made)
    rated = paths["/api/v1/me/requests/{id}/rating"]["post"]["responses"]
    assert {"201", "403", "404", "422"} <= set(rated)
    assert {"200", "403", "404"} <= set(paths["/api/v1/me/requests/{id}"]["get"]["responses"])
