"""The conventions' API: staff and residents, role by role and in and out of scope, the whole
path from draft to result, and no answer that holds a household's choice."""

import datetime
import json

import pytest
import time_machine
from django.utils import timezone

from tests.factories import COMMUNITY_1, STREET_1, STREET_2, make_user
from wangge.foundation.permissions import ROLE_ACTIONS, Action, Role

from .conftest import after_deadline, drafted, voting


def _post(client, path, body=None):
    return client.post(path, body or {}, content_type="application/json",
                       headers={"Accept-Language": "en"})


@pytest.mark.parametrize("role", Role.values)
def test_a_convention_role_by_role(role, town, client):
    convention = drafted(town)
    sees = Action.VIEW_CONVENTIONS in ROLE_ACTIONS[role]
    manages = Action.MANAGE_CONVENTIONS in ROLE_ACTIONS[role]
    for street, in_scope in ((STREET_1, True), (STREET_2, False)):
        client.force_login(make_user(role, street))
        found = (200 if in_scope else 404) if sees else 403
        assert client.get(f"/api/v1/conventions/{convention.pk}").status_code == found
        assert client.get("/api/v1/conventions").status_code == (200 if sees else 403)
        opened = _post(client, f"/api/v1/conventions/{convention.pk}/discussion")
        assert opened.status_code == ((200 if in_scope else 404) if manages else 403)
        assert client.get("/api/v1/me/conventions").status_code == (
            200 if Action.VIEW_OWN_RECORD in ROLE_ACTIONS[role] else 403)


def test_from_draft_to_result(town, client):
    client.force_login(town.staff)
    made = _post(client, "/api/v1/conventions", {
        "kind": "convention", "title": "养犬公约", "text": "第一条 文明养犬。",
        "community_code": COMMUNITY_1})
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    amended = _post(client, f"/api/v1/conventions/{pk}/versions",
                    {"text": "第一条 文明养犬，出门拴绳。", "why": "居民建议"})
    assert amended.json()["number"] == 2
    diff = client.get(f"/api/v1/conventions/{pk}/diff?old=1&new=2").json()
    assert diff[0]["kind"] == "changed"
    assert ["added", "，出门拴绳"] in diff[0]["segments"]
    assert client.get(f"/api/v1/conventions/{pk}/diff?old=1&new=9").status_code == 404
    assert _post(client, f"/api/v1/conventions/{pk}/discussion").json()["state"] == "discussion"
    deadline = (timezone.now() + datetime.timedelta(days=3)).isoformat()
    opened = _post(client, f"/api/v1/conventions/{pk}/vote",
                   {"rule": "household", "quorum_percent": 50, "deadline": deadline})
    assert opened.status_code == 200
    assert opened.json()["vote"]["electorate"] == 3
    assert opened.json()["vote"]["votes_for"] is None
    client.force_login(town.accounts["father"])
    mine = client.get(f"/api/v1/me/conventions/{pk}").json()
    assert (mine["in_electorate"], mine["voted"], mine["version"]) == (True, False, 2)
    voted = _post(client, f"/api/v1/me/conventions/{pk}/ballot", {"choice": "for"})
    assert voted.json()["voted"] is True
    client.force_login(town.accounts["mother"])
    second = _post(client, f"/api/v1/me/conventions/{pk}/ballot", {"choice": "against"})
    assert second.status_code == 422
    assert "Your household has already voted" in second.content.decode()
    client.force_login(town.accounts["zhao"])
    _post(client, f"/api/v1/me/conventions/{pk}/ballot", {"choice": "for"})
    client.force_login(town.staff)
    assert _post(client, f"/api/v1/conventions/{pk}/close").status_code == 422  # not yet
    running = client.get(f"/api/v1/conventions/{pk}").json()
    assert running["vote"]["turnout"] == 2
    assert running["turnout_by_grid"]
    with time_machine.travel(after_deadline(), tick=False):
        client.logout()
        client.force_login(town.staff)
        closed = _post(client, f"/api/v1/conventions/{pk}/close").json()
    assert closed["state"] == "in_force"
    assert closed["current_version"] == 2
    assert (closed["vote"]["votes_for"], closed["vote"]["adopted"]) == (2, True)
    # Nothing anywhere ties a choice to a household or a person.
    for answer in (json.dumps(closed), json.dumps(mine)):
        assert "household_id" not in answer
        assert "person_id" not in answer
        assert "unit" not in answer


def test_a_resident_comments_and_reports_through_the_api(town, client):
    convention = voting(town)
    client.force_login(town.accounts["li"])
    said = _post(client, f"/api/v1/me/conventions/{convention.pk}/comments",
                 {"text": "赞成", "amendment": ""})
    assert said.status_code == 201
    assert said.json()["author_name"] == "李*"
    client.force_login(town.staff)
    hidden = _post(client, f"/api/v1/conventions/comments/{said.json()['id']}/hide",
                   {"reason": "测试隐藏"})
    assert (hidden.json()["hidden"], hidden.json()["text"]) == (True, "")
    client.force_login(town.accounts["qian"])  # another community: not theirs
    assert client.get(f"/api/v1/me/conventions/{convention.pk}").status_code == 404
    assert client.get(f"/api/v1/me/conventions/{2**70}").status_code == 422
