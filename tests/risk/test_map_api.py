"""The risk map's API: the dashboard as JSON, grids and buildings as GeoJSON by grade, scoped
by the caller's jurisdiction, persons counted unless the role sees health status."""

import pytest
from django.test import Client

from tests.api.helpers import ApiClient
from tests.factories import COMMUNITY_1, GRID_A, GRID_B, GRID_C, STREET_1, STREET_2, make_user
from tests.risk.map_world import City, case_words, graded
from tests.risk.map_world import city as city  # the fixture
from wangge.auditlog.models import Entry
from wangge.foundation.permissions import ROLE_ACTIONS, Action, Role
from wangge.risk.models import Level, SubjectKind


@pytest.fixture
def api_as():
    def login(user) -> ApiClient:
        client = Client(headers={"Accept-Language": "en"})
        client.force_login(user)
        return ApiClient(client)

    return login


def test_the_dashboard_of_the_callers_jurisdiction(city: City, api_as):
    answer = api_as(city.district).get("/risk/dashboard").json()
    assert answer["area"]["name"] == "江岸区"
    assert answer["counts"]["building"] == {"high": 2, "medium": 1}
    assert answer["counts"]["person"] == {"high": 0, "medium": 1}
    assert [area["area"]["code"] for area in answer["areas"]] == [STREET_1, STREET_2]
    assert answer["trend"]["building"]["high"] == [1] * 13 + [2]
    assert len(answer["trend"]["days"]) == 14
    listed = {change["name"]: change for change in answer["changes"]["listed"]}
    assert listed["3栋"]["before"] == Level.MEDIUM
    assert listed["3栋"]["after"] == Level.HIGH
    assert listed["3栋"]["reasons"] == [case_words()]


def test_the_dashboard_of_a_grid_lists_its_graded_buildings(city: City, api_as):
    answer = api_as(city.community).get(f"/risk/dashboard/{GRID_A}").json()
    assert answer["level"] == Level.HIGH
    assert answer["reasons"] == ["网格内有高风险楼栋"]
    assert answer["buildings"] == [{"id": city.high.pk, "name": "3栋", "level": Level.HIGH,
                                    "reasons": [case_words()]}]
    assert answer["trail"][-1]["code"] == COMMUNITY_1
    api = api_as(city.street)
    assert api.get(f"/risk/dashboard/{GRID_C}").status_code == 404
    assert api.get("/risk/dashboard/12345").status_code == 404
    assert api_as(city.volunteer).get("/risk/dashboard").status_code == 403


def test_persons_changes_are_counted_for_a_role_that_sees_health_masked(city: City, api_as):
    graded(SubjectKind.PERSON, city.person.pk, GRID_A, (1, Level.MEDIUM, ["密切接触者"]),
           (0, Level.HIGH, ["确诊病例"]))
    street = api_as(city.street).get("/risk/dashboard").json()["changes"]
    assert street["persons_counted"] == 1
    assert all(change["kind"] != "person" for change in street["listed"])
    assert not Entry.objects.filter(target="risk grades").exists()
    shown = api_as(city.community).get("/risk/dashboard",
                                       **{"X-Purpose": "%E6%A0%B8%E5%AE%9E"}).json()["changes"]
    person = next(change for change in shown["listed"] if change["kind"] == "person")
    assert person["name"] == "赵病例"
    assert person["reasons"] == ["确诊病例"]
    entry = Entry.objects.get(target="risk grades")
    assert entry.record_ids == [city.person.pk]
    assert entry.purpose == "核实"


def test_buildings_as_geojson_coloured_by_grade(city: City, api_as):
    api = api_as(city.worker)
    grid = api.get("/risk/buildings.geojson", {"code": GRID_A})
    assert grid["Content-Type"] == "application/geo+json"
    levels = {feature["properties"]["name"]: feature["properties"]["level"]
              for feature in grid.json()["features"]}
    assert levels["3栋"] == Level.HIGH
    assert levels["4栋"] == Level.LOW
    high = next(feature for feature in grid.json()["features"]
                if feature["properties"]["name"] == "3栋")
    assert high["properties"]["reasons"] == [case_words()]
    assert high["geometry"]["type"] == "Point"
    # Above a grid, the graded buildings only; out of the jurisdiction, none.
    street = api_as(city.street).get("/risk/buildings.geojson", {"code": STREET_1}).json()
    assert [feature["properties"]["name"] for feature in street["features"]] == ["7栋", "3栋"]
    assert api_as(city.street).get("/risk/buildings.geojson",
                                   {"code": GRID_C}).json()["features"] == []
    assert api.get("/risk/buildings.geojson", {"code": "x" * 500}).status_code == 422


def test_grids_as_geojson_coloured_by_grade(city: City, api_as):
    answer = api_as(city.community).get("/risk/grids.geojson", {"code": COMMUNITY_1}).json()
    grids = {feature["properties"]["code"]: feature["properties"]
             for feature in answer["features"]}
    assert set(grids) == {GRID_A, GRID_B}
    assert grids[GRID_A]["level"] == Level.HIGH
    assert grids[GRID_A]["reasons"] == ["网格内有高风险楼栋"]
    assert grids[GRID_B]["level"] == Level.LOW
    assert grids[GRID_B]["reasons"] == []


@pytest.mark.parametrize("role", Role.values)
def test_graded_buildings_by_role(role, city: City, api_as):
    """The GeoJSON of graded buildings, for every role (tests/api/test_access_matrix.py
    leaves it here: its scene grades nothing)."""
    api = api_as(make_user(role, STREET_1, username=f"r-{role}"))
    answer = api.get("/risk/buildings.geojson", {"code": STREET_1})
    if Action.VIEW_RISK not in ROLE_ACTIONS[role]:
        assert answer.status_code == 403
        return
    assert len(answer.json()["features"]) == 2
    assert api.get("/risk/buildings.geojson", {"code": STREET_2}).json()["features"] == []


def test_the_openapi_document_says_a_read_is_not_answered_unlogged(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/risk/dashboard", "/api/v1/risk/dashboard/{code}"):
        assert "503" in paths[path]["get"]["responses"]
    assert "application/geo+json" in paths["/api/v1/risk/grids.geojson"]["get"]["responses"][
        "200"]["content"]
