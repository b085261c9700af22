import json

import pytest

from tests.factories import DISTRICT, GRID_A, GRID_B, GRID_C, SYSTEM, make_person, make_user
from wangge.foundation.permissions import Role
from wangge.places.services import building_create


def map_data(response) -> dict:
    page = response.content.decode()
    start = page.index('<script id="map-data" type="application/json">') + 46
    return json.loads(page[start:page.index("</script>", start)])


@pytest.fixture
def volunteer_client(client, world):
    """A role whose home is its jurisdiction (a grid worker's is the to-do list,
    tests/web/test_task_homes.py)."""
    client.force_login(make_user(Role.VOLUNTEER, GRID_A))
    return client


def test_home_map_holds_only_the_grids_in_scope(volunteer_client, residents):
    response = volunteer_client.get("/")
    features = map_data(response)["grids"]["features"]
    assert [feature["properties"]["code"] for feature in features] == [GRID_A]
    assert features[0]["properties"]["population"] == 1
    assert features[0]["properties"]["url"] == f"/grids/{GRID_A}/"
    assert response.context["counts"]["residents"] == 1
    assert "民意一网格" in response.content.decode()


def test_a_district_sees_every_grid_coloured_by_population(client, residents):
    make_person(GRID_A, name="丙居民")
    client.force_login(make_user(Role.DISTRICT_ADMIN, DISTRICT))
    features = map_data(client.get(f"/divisions/{DISTRICT}/"))["grids"]["features"]
    population = {f["properties"]["code"]: f["properties"]["population"] for f in features}
    assert population == {GRID_A: 2, GRID_B: 1, GRID_C: 0}


def test_no_tile_layer_unless_configured(volunteer_client, residents, settings):
    assert map_data(volunteer_client.get("/"))["tiles"] is None
    settings.WANGGE_TILE_URL = "https://tiles.example/{z}/{x}/{y}.png"
    assert map_data(volunteer_client.get("/"))["tiles"]["url"] == settings.WANGGE_TILE_URL


@pytest.fixture
def unplaced_building(world):
    # Far outside every grid: filed under the district, not placed in a grid.
    return building_create(name="孤楼", address="江边路1号", longitude=114.5, latitude=30.9,
                           division_code=DISTRICT, by=SYSTEM)


def test_unplaced_buildings_are_listed_for_those_who_see_them(client, unplaced_building):
    client.force_login(make_user(Role.DISTRICT_ADMIN, DISTRICT))
    # Home is the cockpit for a district administrator.
    assert "/buildings/unplaced/" in client.get("/", follow=True).content.decode()
    assert "孤楼" in client.get("/buildings/unplaced/").content.decode()


def test_a_grid_worker_does_not_see_buildings_outside_the_grid(worker_client,
                                                               unplaced_building):
    assert "/buildings/unplaced/" not in worker_client.get("/").content.decode()
    assert "孤楼" not in worker_client.get("/buildings/unplaced/").content.decode()
