from django.test import override_settings

from tests.api.helpers import ENGLISH, credit_code
from tests.factories import (
    COMMUNITY_1,
    GRID_A,
    GRID_B,
    GRID_C,
    centre_of,
    make_building,
    make_dwelling,
    make_user,
)
from wangge.foundation.permissions import Role
from wangge.places.models import Building, Dwelling, Enterprise, Facility


def test_a_building_outside_every_grid_needs_a_division_and_is_kept_unplaced(world, api_as):
    api = api_as(make_user(Role.COMMUNITY_STAFF, COMMUNITY_1))
    far = {"name": "远楼", "address": "郊外", "longitude": 114.50, "latitude": 30.50}
    refused = api.post("/buildings", far)
    assert refused.status_code == 422
    assert "division_code" in refused.json()["errors"]["longitude"][0]
    assert not Building.objects.exists()
    kept = api.post("/buildings", {**far, "division_code": COMMUNITY_1})
    assert kept.status_code == 201
    assert kept.json()["grid_code"] == COMMUNITY_1
    assert kept.json()["is_placed"] is False


def test_a_building_is_placed_in_the_grid_containing_it(world, api_as):
    lon, lat = centre_of(GRID_A)
    response = api_as(make_user(Role.GRID_WORKER, GRID_A)).post(
        "/buildings", {"name": "5栋", "address": "测试路5号", "longitude": lon, "latitude": lat,
                       "units": 3, "floors": 18, "reason": "普查"})
    assert response.status_code == 201
    assert response.json()["grid_code"] == GRID_A
    assert Building.objects.get().history.first().history_change_reason == "普查"


def test_deleting_needs_a_reason_and_a_place_nothing_refers_to(world, api_as):
    api = api_as(make_user(Role.GRID_WORKER, GRID_A))
    dwelling = make_dwelling(GRID_A)
    building = dwelling.building
    no_reason = api.delete(f"/buildings/{building.pk}")
    assert no_reason.status_code == 422
    assert "reason" in no_reason.json()["errors"]
    in_use = api.delete(f"/buildings/{building.pk}", {"reason": "拆除"}, **ENGLISH)
    assert in_use.status_code == 409
    assert in_use.json()["message"] == (
        f"{building.name} cannot be deleted: dwellings (1) still refer to it.")
    assert Building.objects.filter(pk=building.pk).exists()
    assert api.delete(f"/dwellings/{dwelling.pk}", {"reason": "拆除"}).status_code == 204
    assert api.delete(f"/buildings/{building.pk}", {"reason": "拆除"}).status_code == 204
    assert not Dwelling.objects.exists()
    deleted = Building.history.filter(id=building.pk, history_type="-").get()
    assert deleted.history_change_reason == "拆除"


def test_a_dwelling_must_fit_its_building(world, api_as):
    building = make_building(GRID_A, units=2, floors=6)
    response = api_as(make_user(Role.GRID_WORKER, GRID_A)).post(
        "/dwellings", {"building_id": building.pk, "unit": 3, "floor": 9, "room": "901"})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"unit", "floor"}
    assert not Dwelling.objects.exists()


def test_an_enterprise_with_a_bad_credit_code_is_refused(world, api_as):
    lon, lat = centre_of(GRID_A)
    api = api_as(make_user(Role.GRID_WORKER, GRID_A))
    body = {"name": "小店", "address": "路1号", "longitude": lon, "latitude": lat}
    bad = api.post("/enterprises", {**body, "credit_code": credit_code(1)[:-1] + "0"})
    assert bad.status_code == 422
    assert "credit_code" in bad.json()["errors"]
    assert api.post("/enterprises", {**body, "credit_code": credit_code(1)}).status_code == 201
    assert Enterprise.objects.count() == 1


def test_buildings_geojson_are_points_in_scope(world, api_as):
    make_building(GRID_A, name="甲楼")
    make_building(GRID_C, name="丙楼")
    response = api_as(make_user(Role.RESIDENT, COMMUNITY_1)).get("/buildings.geojson")
    assert response["Content-Type"] == "application/geo+json"
    (feature,) = response.json()["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": list(centre_of(GRID_A))}
    assert feature["properties"]["name"] == "甲楼"


@override_settings(WANGGE_PAGE_SIZE=2)
def test_lists_are_paged(world, api_as):
    for number in range(3):
        make_building(GRID_A, name=f"{number}栋")
    api = api_as(make_user(Role.GRID_WORKER, GRID_A))
    first, second = api.get("/buildings").json(), api.get("/buildings", {"page": 2}).json()
    assert (len(first["items"]), first["count"]) == (2, 3)
    assert (len(second["items"]), second["count"]) == (1, 3)
    assert api.get("/buildings", {"page": 0}).status_code == 422


def _located(grid: str) -> dict:
    lon, lat = centre_of(grid)
    return {"address": "路1号", "longitude": lon, "latitude": lat}


def test_a_facility_is_corrected_and_null_clears_what_may_be_empty(world, api_as):
    api = api_as(make_user(Role.GRID_WORKER, GRID_A, GRID_B))
    facility = api.post("/facilities", {"name": "卫生站", "kind": "clinic", "capacity": 20,
                                        **_located(GRID_A)}).json()
    moved = api.patch(f"/facilities/{facility['id']}",
                      {"capacity": None, "kind": "pharmacy", **_located(GRID_B),
                       "reason": "核实"})
    assert moved.status_code == 200
    assert (moved.json()["capacity"], moved.json()["kind"], moved.json()["grid_code"]) == (
        None, "pharmacy", GRID_B)
    assert Facility.history.filter(id=facility["id"]).first().history_change_reason == "核实"
    refused = api.patch(f"/facilities/{facility['id']}",
                        {"name": None, "kind": "zoo", "capacity": -1}, **ENGLISH)
    assert refused.status_code == 422
    assert set(refused.json()["errors"]) == {"kind", "capacity"}
    assert api.patch(f"/facilities/{facility['id']}", {"name": None},
                     **ENGLISH).json()["errors"] == {"name": ["This field cannot be null."]}


def test_a_facility_cleared_of_its_location_stays_unplaced_in_its_community(world, api_as):
    worker = api_as(make_user(Role.GRID_WORKER, GRID_A))
    facility = worker.post("/facilities", {"name": "卫生站", "kind": "clinic",
                                           **_located(GRID_A)}).json()
    # Unplaced, it would be filed under the community: outside a grid worker's jurisdiction.
    refused = worker.patch(f"/facilities/{facility['id']}", {"longitude": None})
    assert refused.status_code == 422
    assert "grid_code" in refused.json()["errors"]
    api = api_as(make_user(Role.COMMUNITY_STAFF, COMMUNITY_1))
    facility = api.post("/facilities", {"name": "药店", "kind": "pharmacy",
                                        **_located(GRID_A)}).json()
    cleared = api.patch(f"/facilities/{facility['id']}", {"longitude": None, "latitude": None})
    assert cleared.json()["grid_code"] == COMMUNITY_1
    assert cleared.json()["is_placed"] is False
    assert cleared.json()["longitude"] is None


def test_an_enterprise_is_corrected_with_its_codes_checked(world, api_as):
    api = api_as(make_user(Role.GRID_WORKER, GRID_A))
    first = api.post("/enterprises", {"name": "甲店", "credit_code": credit_code(1),
                                      "contact_phone": "13800001111", **_located(GRID_A)}).json()
    api.post("/enterprises", {"name": "乙店", "credit_code": credit_code(2), **_located(GRID_A)})
    path = f"/enterprises/{first['id']}"
    bad = api.patch(path, {"credit_code": credit_code(3)[:-1] + "0", "contact_phone": "123"})
    assert set(bad.json()["errors"]) == {"credit_code", "contact_phone"}
    taken = api.patch(path, {"credit_code": credit_code(2)})
    assert taken.status_code == 422
    assert "credit_code" in taken.json()["errors"]
    assert api.patch(path, {"credit_code": None}).status_code == 422
    done = api.patch(path, {"industry": "零售", "contact_phone": None, "reason": "换号"})
    assert (done.json()["industry"], done.json()["contact_phone"]) == ("零售", "")
    assert Enterprise.objects.get(pk=first["id"]).credit_code == credit_code(1)


def test_a_building_with_dwellings_keeps_its_grid(world, api_as):
    dwelling = make_dwelling(GRID_A)
    api = api_as(make_user(Role.GRID_WORKER, GRID_A, GRID_B))
    response = api.patch(f"/buildings/{dwelling.building_id}", _located(GRID_B))
    assert response.status_code == 422
    assert "longitude" in response.json()["errors"]
    assert Building.objects.get(pk=dwelling.building_id).grid_code == GRID_A


def test_a_rented_dwelling_has_an_owner_a_lease_and_its_building_a_lift(world, api_as):
    from tests.factories import GRID_A, GRID_C, make_person, make_user

    worker = api_as(make_user("grid_worker", GRID_A))
    owner, stranger = make_person(GRID_A, "房东"), make_person(GRID_C, "外人")
    dwelling = make_person(GRID_A, "租客").dwelling
    path = f"/dwellings/{dwelling.pk}"
    answer = worker.patch(path, {"owner_id": owner.pk, "rented": True, "floor_area": "56.5",
                                 "lease_start": "2026-01-01", "lease_end": "2026-12-31",
                                 "reason": "出租登记"})
    assert answer.status_code == 200, answer.json()
    assert answer.json()["owner_id"] == owner.pk
    assert float(answer.json()["floor_area"]) == 56.5
    assert worker.patch(path, {"owner_id": stranger.pk, "reason": "x"}).status_code == 422
    assert worker.patch(path, {"lease_end": "2025-01-01", "reason": "x"}).status_code == 422
    building = worker.patch(f"/buildings/{dwelling.building_id}",
                            {"has_lift": True, "reason": "核实"})
    assert building.json()["has_lift"] is True
