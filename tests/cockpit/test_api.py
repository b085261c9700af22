"""GET /api/v1/cockpit and /cockpit/{code}: the page's figures as JSON, exactly as the OpenAPI
document says."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from tests.api.helpers import ENGLISH, ApiClient
from tests.factories import COMMUNITY_1, DISTRICT, GRID_A, GRID_C, STREET_1, STREET_2
from tests.factories import make_user as make_account
from wangge.access.services import token_create
from wangge.foundation.permissions import Role


@pytest.fixture
def api_as(client):
    """``api_as(user)``: the API as ``user`` (a bearer token: the cockpit's API is read by
    dashboards on the big screen as well as by the page)."""

    def login(user) -> ApiClient:
        return ApiClient(Client(), {"Authorization": f"Bearer {token_create(user=user)}"})

    return login


def test_the_cockpit_of_a_district_leader(city, api_as):
    answer = api_as(city.loop.district).get("/cockpit")
    assert answer.status_code == 200
    body = answer.json()
    today = timezone.localdate()
    assert body["unit"] == {"code": DISTRICT, "name": "江岸区", "level": body["unit"]["level"]}
    assert body["period"] == {"from": (today - datetime.timedelta(days=29)).isoformat(),
                              "to": today.isoformat(), "bucket": "day"}
    totals = body["totals"]
    assert {key: totals[key] for key in ("reported", "closed", "set_aside", "open",
                                         "overdue", "overdue_now")} == {
        "reported": 4, "closed": 1, "set_aside": 1, "open": 2, "overdue": 1, "overdue_now": 1}
    assert totals["closure_rate"] == pytest.approx(1 / 3)
    assert len(body["series"]) == 30
    assert [area["unit"]["name"] for area in body["areas"]] == ["大智街道", "一元街道"]
    assert {channel["channel"]: channel["reported"] for channel in body["channels"]} == {
        "web": 3, "api": 0, "public": 1}
    assert body["patrols"][0] == {"unit": body["areas"][0]["unit"], "buildings": 4,
                                  "visited": 1, "share": 0.25}
    assert body["registry"]["residents"] == 3
    assert body["registry"]["vulnerable_groups"]["elderly_alone"] == 1


def test_a_unit_down_the_tree_and_its_trail(city, api_as):
    body = api_as(city.loop.district).get(f"/cockpit/{GRID_A}").json()
    assert [unit["code"] for unit in body["trail"]] == [DISTRICT, STREET_1, COMMUNITY_1]
    assert body["areas"] == []
    assert body["totals"]["reported"] == 2


def test_outside_the_jurisdiction_is_404_and_without_a_cockpit_403(city, api_as):
    street = api_as(city.loop.street)
    for code in (STREET_2, GRID_C, DISTRICT, "12345"):
        answer = street.get(f"/cockpit/{code}", **ENGLISH)
        assert answer.status_code == 404, code
        assert answer.json()["message"] == "No such record, or it is outside your jurisdiction."
    for role in (Role.GRID_WORKER, Role.DEPARTMENT_STAFF, Role.RESIDENT, Role.AUDITOR):
        answer = api_as(make_account(role, STREET_1)).get("/cockpit")
        assert answer.status_code == 403, role


@pytest.mark.parametrize(("query", "field"), [
    ({"from": "2024-02-30"}, "from"),
    ({"to": "yesterday"}, "to"),
    ({"from": "2024-03-02", "to": "2024-03-01"}, "from"),
    ({"from": "2020-01-01", "to": "2024-01-01"}, "to"),
    ({"from": "0001-01-01", "to": "0001-01-02"}, "from"),
])
def test_a_period_that_cannot_be_is_a_422_naming_it(query, field, city, api_as):
    answer = api_as(city.loop.district).get("/cockpit", query, **ENGLISH)
    assert answer.status_code == 422
    assert list(answer.json()["errors"]) == [field]


def test_a_long_period_counts_by_week(city, api_as):
    today = timezone.localdate()
    start = today - datetime.timedelta(days=200)
    body = api_as(city.loop.community).get("/cockpit", {"from": start.isoformat()}).json()
    assert body["period"]["bucket"] == "week"
    assert sum(step["reported"] for step in body["series"]) == 3
    assert body["series"][0]["first"] == start.isoformat()


def test_the_openapi_document_says_what_it_answers(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    own, one = paths["/api/v1/cockpit"]["get"], paths["/api/v1/cockpit/{code}"]["get"]
    assert set(own["responses"]) == {"200", "401", "403", "422"}
    assert set(one["responses"]) == {"200", "401", "403", "404", "422"}
    assert [parameter["name"] for parameter in own["parameters"]] == ["from", "to"]
    schema = own["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["$ref"].endswith("/CockpitOut")
