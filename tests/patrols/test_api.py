"""The patrols API: a patrol walked from start to end, findings as events, who may do what,
and the coverage report."""

import datetime

import pytest
import time_machine
from django.test import Client

from tests.api.helpers import ApiClient
from tests.factories import GRID_A, GRID_B, GRID_C
from wangge.access.services import token_create
from wangge.events.models import Event


@pytest.fixture
def api_of():
    def login(user) -> ApiClient:
        return ApiClient(Client(), {"Authorization": f"Bearer {token_create(user=user)}",
                                    "Accept-Language": "en"})

    return login


def test_a_patrol_through_the_api(beat, api_of):
    api = api_of(beat.worker)
    started = api.post("/patrols", {"grid_code": GRID_A})
    assert started.status_code == 201, started.content
    patrol = started.json()
    assert (patrol["patroller"], patrol["grid_code"], patrol["ended_at"]) == (
        "worker-a", GRID_A, None)
    again = api.post("/patrols", {"grid_code": GRID_A})
    assert again.status_code == 422
    assert "You are already on a patrol" in again.json()["errors"]["grid_code"][0]
    path = f"/patrols/{patrol['id']}"
    visit = api.post(f"{path}/visits", {"building_id": beat.gate.pk})
    assert visit.status_code == 201
    assert visit.json()["building"] == "1栋"
    assert api.post(f"{path}/visits", {"building_id": beat.gate.pk}).json() == visit.json()
    finding = api.post(f"{path}/findings", {
        "category_id": beat.category.pk, "description": "消防通道堵塞", "priority": "urgent",
        "building_id": beat.shop.pk})
    assert finding.status_code == 201, finding.content
    event = Event.objects.get(pk=finding.json()["event_id"])
    assert finding.json()["number"] == event.number
    assert (event.channel, event.priority, event.building) == ("api", "urgent", beat.shop)
    ended = api.post(f"{path}/end", {"note": "巡查完毕"})
    assert ended.status_code == 200
    body = ended.json()
    assert body["ended_at"] is not None
    assert (body["visit_count"], body["finding_count"]) == (2, 1)
    assert [v["building"] for v in body["visits"]] == ["1栋", "2栋商铺"]
    assert body["findings"][0]["event_id"] == event.pk
    listed = api_of(beat.street).get("/patrols", {"patroller_id": beat.worker.pk}).json()
    assert listed["count"] == 1
    assert listed["items"][0]["visit_count"] == 2
    assert api_of(beat.street).get("/patrols", {"open": "true"}).json()["count"] == 0


def test_only_the_patroller_changes_a_patrol(beat, api_of):
    patrol = api_of(beat.worker).post("/patrols", {"grid_code": GRID_A}).json()
    path = f"/patrols/{patrol['id']}"
    colleague = api_of(beat.colleague)
    assert colleague.get(path).status_code == 200  # colleagues and overseers may read it
    refused = colleague.post(f"{path}/visits", {"building_id": beat.gate.pk})
    assert refused.status_code == 403
    assert refused.json()["message"] == "Only the patroller may change this patrol."
    assert colleague.post(f"{path}/end", {}).status_code == 403
    assert api_of(beat.street).post(f"{path}/end", {}).status_code == 403
    outsider = api_of(beat.outsider)
    assert outsider.get(path).status_code == 404
    assert outsider.post(f"{path}/end", {}).status_code == 404
    assert api_of(beat.resident).get(path).status_code == 403
    wrong = api_of(beat.worker).post(f"{path}/visits", {"building_id": beat.grid_c.pk})
    assert wrong.status_code == 422
    assert "building_id" in wrong.json()["errors"]
    community = api_of(beat.community)
    own = community.post("/patrols", {"grid_code": GRID_A}).json()
    other_grid = community.post(f"/patrols/{own['id']}/visits", {"building_id": beat.grid_b.pk})
    assert other_grid.json()["errors"] == {
        "building": ["9栋 is not in the grid of this patrol."]}


def test_coverage_through_the_api(beat, api_of):
    now = datetime.datetime(2024, 5, 6, 9, 0, tzinfo=datetime.UTC)
    api = api_of(beat.worker)
    with time_machine.travel(now - datetime.timedelta(days=10), tick=False):
        patrol = api.post("/patrols", {"grid_code": GRID_A}).json()
        api.post(f"/patrols/{patrol['id']}/visits", {"building_id": beat.gate.pk})
        api.post(f"/patrols/{patrol['id']}/end", {})
    with time_machine.travel(now, tick=False):
        street = api_of(beat.street)
        grids = {g["code"]: g for g in street.get("/patrol-coverage").json()["items"]}
        assert set(grids) == {GRID_A, GRID_B}
        assert grids[GRID_A] | {"last_patrol": None} == {
            "code": GRID_A, "name": "民意一网格", "buildings": 3, "visited": 1,
            "not_visited": 2, "last_patrol": None}
        assert street.get("/patrol-coverage", {"days": 7}).json()["items"][0]["visited"] == 0
        assert street.get("/patrol-coverage", {"code": GRID_B}).json()["count"] == 1
        detail = street.get(f"/patrol-coverage/{GRID_A}").json()
        assert [b["name"] for b in detail["unvisited"]] == ["2栋商铺", "3栋"]
        assert detail["since"].startswith("2024-04-06")
        assert street.get(f"/patrol-coverage/{GRID_C}").status_code == 404
        assert api_of(beat.resident).get("/patrol-coverage").status_code == 403
        assert street.get("/patrol-coverage", {"days": 0}).status_code == 422
