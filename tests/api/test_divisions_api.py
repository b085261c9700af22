from tests.api.helpers import ENGLISH
from tests.factories import (
    COMMUNITY_1,
    GRID_A,
    GRID_B,
    GRID_C,
    GRID_ORIGIN,
    STREET_1,
    STREET_2,
    make_person,
    make_user,
    square,
)
from wangge.divisions.models import Division, Grid
from wangge.foundation.permissions import Role


def test_a_grid_worker_with_two_grids_sees_both_and_nothing_else(world, api_as):
    for grid in (GRID_A, GRID_B, GRID_C):
        make_person(grid)
    api = api_as(make_user(Role.GRID_WORKER, GRID_A, GRID_B))
    grids = api.get("/grids").json()
    assert [grid["code"] for grid in grids["items"]] == [GRID_A, GRID_B]
    assert grids["count"] == 2
    persons = api.get("/persons").json()
    assert {person["grid_code"] for person in persons["items"]} == {GRID_A, GRID_B}
    assert persons["count"] == 2
    assert api.get(f"/grids/{GRID_C}").status_code == 404
    assert api.get("/divisions").json()["count"] == 0  # a grid worker answers for no division


def test_code_filter_narrows_within_scope_and_a_foreign_prefix_yields_nothing(world, api_as):
    api = api_as(make_user(Role.STREET_OFFICER, STREET_1))
    assert api.get("/grids", {"code": GRID_B}).json()["count"] == 1
    assert api.get("/grids", {"code": COMMUNITY_1}).json()["count"] == 2
    assert api.get("/grids", {"code": STREET_2}).json() == {"items": [], "count": 0}
    assert api.get("/grids", {"code": "4201"}).json()["count"] == 2
    response = api.get("/grids", {"code": "42x"})
    assert response.status_code == 422
    assert "code" in response.json()["errors"]


def test_grids_geojson_has_polygons_with_population(world, api_as):
    make_person(GRID_A)
    make_person(GRID_A)
    response = api_as(make_user(Role.VOLUNTEER, COMMUNITY_1)).get("/grids.geojson",
                                                                  {"code": COMMUNITY_1})
    assert response["Content-Type"] == "application/geo+json"
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    properties = {feature["properties"]["code"]: feature["properties"]
                  for feature in collection["features"]}
    assert properties == {
        GRID_A: {"code": GRID_A, "name": "民意一网格", "population": 2},
        GRID_B: {"code": GRID_B, "name": "民意二网格", "population": 0},
    }
    assert collection["features"][0]["geometry"]["type"] == "Polygon"


def test_grids_geojson_counts_residents_only_for_roles_that_see_people(world, api_as):
    """The system administrator draws grids but sees no person: no population either, as
    on the pages' map."""
    make_person(GRID_A)
    response = api_as(make_user(Role.SYSTEM_ADMIN, COMMUNITY_1)).get("/grids.geojson")
    assert sorted((f["properties"] for f in response.json()["features"]), key=str) == [
        {"code": GRID_A, "name": "民意一网格"}, {"code": GRID_B, "name": "民意二网格"}]


def test_an_overlapping_grid_is_refused_naming_the_other_grid(world, api_as):
    api = api_as(make_user(Role.DISTRICT_ADMIN, STREET_1))
    lon, lat = GRID_ORIGIN[GRID_A]
    response = api.post("/grids", {"code": COMMUNITY_1 + "003", "name": "重叠网格",
                                   "boundary": square(lon + 0.005, lat + 0.005)})
    assert response.status_code == 422
    message = response.json()["errors"]["boundary"][0]
    assert "民意一网格" in message
    assert GRID_A in message
    assert not Grid.objects.filter(code=COMMUNITY_1 + "003").exists()


def test_a_grid_is_created_and_renamed_with_a_reason(world, api_as):
    api = api_as(make_user(Role.DISTRICT_ADMIN, STREET_1))
    created = api.post("/grids", {"code": COMMUNITY_1 + "003", "name": "三网格",
                                  "boundary": square(114.30, 30.61), "reason": "新划"})
    assert created.status_code == 201
    assert created.json()["community_code"] == COMMUNITY_1
    renamed = api.patch(f"/grids/{COMMUNITY_1}003", {"name": "民意三网格", "reason": "更名"})
    assert renamed.json()["name"] == "民意三网格"
    grid = Grid.objects.get(code=COMMUNITY_1 + "003")
    assert grid.history.first().history_change_reason == "更名"


def test_an_empty_grid_is_deleted_with_its_reason(world, api_as):
    api = api_as(make_user(Role.DISTRICT_ADMIN, STREET_1))
    code = COMMUNITY_1 + "003"
    api.post("/grids", {"code": code, "name": "错建网格", "boundary": square(114.30, 30.61)})
    no_reason = api.delete(f"/grids/{code}")
    assert no_reason.status_code == 422
    assert "reason" in no_reason.json()["errors"]
    assert api.delete(f"/grids/{code}", {"reason": "误建"}).status_code == 204
    assert not Grid.objects.filter(code=code).exists()
    assert Grid.history.get(code=code, history_type="-").history_change_reason == "误建"


def test_a_grid_or_division_with_records_under_it_is_kept_naming_them(world, api_as):
    make_person(GRID_A)
    make_user(Role.GRID_WORKER, GRID_B)
    api = api_as(make_user(Role.DISTRICT_ADMIN, STREET_1))
    refused = api.delete(f"/grids/{GRID_A}", {"reason": "合并"}, **ENGLISH)
    assert refused.status_code == 409
    # make_person files a building and a dwelling in the grid too.
    assert refused.json()["message"] == (
        f"民意一网格 ({GRID_A}) cannot be deleted: buildings (1), dwellings (1), "
        "people (1) still refer to it.")
    assert api.delete(f"/grids/{GRID_B}", {"reason": "合并"}, **ENGLISH).json()["message"] == (
        f"民意二网格 ({GRID_B}) cannot be deleted: jurisdictions (1) still refer to it.")
    community = api.delete(f"/divisions/{COMMUNITY_1}", {"reason": "撤并"}, **ENGLISH)
    assert community.status_code == 409
    assert "grids (2)" in community.json()["message"]
    assert Grid.objects.filter(code__in=[GRID_A, GRID_B]).count() == 2


def test_deleting_a_division_takes_the_edit_divisions_role_and_scope(world, api_as):
    empty = "420102001009"
    api_as(make_user(Role.DISTRICT_ADMIN, STREET_1)).post("/divisions",
                                                          {"code": empty, "name": "空社区"})
    assert api_as(make_user(Role.STREET_OFFICER, STREET_1)).delete(
        f"/divisions/{empty}", {"reason": "误建"}).status_code == 403
    assert api_as(make_user(Role.DISTRICT_ADMIN, STREET_2)).delete(
        f"/divisions/{empty}", {"reason": "误建"}).status_code == 404
    assert api_as(make_user(Role.DISTRICT_ADMIN, STREET_1)).delete(
        f"/divisions/{empty}", {"reason": "误建"}).status_code == 204
    assert not Division.objects.filter(code=empty).exists()


def test_null_for_a_required_field_is_refused_naming_it(world, api_as):
    api = api_as(make_user(Role.DISTRICT_ADMIN, STREET_1))
    response = api.patch(f"/grids/{GRID_A}", {"name": None, "boundary": None}, **ENGLISH)
    assert response.status_code == 422
    assert response.json()["errors"] == {"name": ["This field cannot be null."],
                                         "boundary": ["This field cannot be null."]}
    assert api.patch(f"/divisions/{COMMUNITY_1}", {"name": None}).status_code == 422
    assert api.patch(f"/divisions/{COMMUNITY_1}", {}).json()["name"] == "民意社区"
