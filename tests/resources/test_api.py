"""The resource database's API: every kind listed, read, created, patched and deleted within
the caller's jurisdiction (404 outside), phones masked by role, refusals as 422/403/409."""


import pytest

from tests.api.helpers import ApiClient
from tests.factories import COMMUNITY_1, GRID_A, GRID_C, centre_of
from tests.resources.matrix import RESOURCE_MODELS, make_resource
from wangge.resources.models import Material

PATHS = {"depot": "depots", "material": "materials", "shelter": "shelters",
         "utility": "utilities", "provider": "providers", "callableperson": "people",
         "vehicle": "vehicles"}


@pytest.fixture
def api(client):
    def login(user) -> ApiClient:
        client.force_login(user)
        return ApiClient(client, {"Accept-Language": "en"})

    return login


@pytest.mark.parametrize("model", RESOURCE_MODELS, ids=lambda model: model.__name__)
def test_each_kind_is_listed_and_read_in_scope_and_404_outside(world, api, model):
    inside, outside = make_resource(model, GRID_A), make_resource(model, GRID_C)
    path = f"/resources/{PATHS[model._meta.model_name]}"
    street = api(world.street)
    listed = street.get(path)
    assert listed.status_code == 200
    ids = {item["id"] for item in listed.json()["items"]}
    assert inside.pk in ids
    assert outside.pk not in ids
    assert street.get(f"{path}/{inside.pk}").status_code == 200
    assert street.get(f"{path}/{outside.pk}").status_code == 404
    assert api(world.resident).get(path).status_code == 403


def test_create_patch_and_delete_a_shelter(world, api):
    community = api(world.community)
    lon, lat = centre_of(GRID_A)
    created = community.post("/resources/shelters", {
        "name": "民意小学", "address": "民意路9号", "longitude": lon, "latitude": lat,
        "capacity": 300, "drinking_water": True, "contact_phone": "13800001234",
        "reason": "普查"})
    assert created.status_code == 201, created.json()
    shelter = created.json()
    assert shelter["grid_code"] == GRID_A
    too_many = community.patch(f"/resources/shelters/{shelter['id']}",
                               {"occupancy": 301, "reason": "安置"})
    assert too_many.status_code == 422
    assert "occupancy" in too_many.json()["errors"]
    patched = community.patch(f"/resources/shelters/{shelter['id']}",
                              {"occupancy": 120, "reason": "安置"})
    assert patched.json()["occupancy"] == 120
    gone = community.delete(f"/resources/shelters/{shelter['id']}", {"reason": "拆除"})
    assert gone.status_code == 204


def test_a_material_by_category_code_with_the_depots_owner(world, api):
    community = api(world.community)
    created = community.post("/resources/materials", {
        "depot_id": world.depot.pk, "category": "food", "item": "方便面", "quantity": "40",
        "unit": "箱", "expires_on": "2030-01-01", "reason": "入库"})
    assert created.status_code == 201, created.json()
    assert created.json()["owner_id"] == world.office.pk
    assert created.json()["category"] == "food"
    unknown = community.post("/resources/materials", {
        "depot_id": world.depot.pk, "category": "nothing", "item": "x", "quantity": "1",
        "unit": "个", "reason": "入库"})
    assert unknown.status_code == 422
    outside = community.post("/resources/materials", {
        "depot_id": world.outside_depot.pk, "category": "food", "item": "x", "quantity": "1",
        "unit": "个", "reason": "入库"})
    assert outside.status_code == 422
    assert "depot_id" in outside.json()["errors"]


def test_the_materials_needing_attention_are_filtered_by_condition(world, api):
    Material.objects.filter(pk=world.water.pk).update(quantity=10)
    street = api(world.street)
    low = street.get("/resources/materials", {"condition": "low_stock"}).json()["items"]
    assert [item["id"] for item in low] == [world.water.pk]
    expiring = street.get("/resources/materials", {"condition": "expiring"}).json()["items"]
    assert [item["id"] for item in expiring] == [world.masks.pk]
    assert street.get("/resources/materials", {"q": "口罩"}).json()["count"] == 1


def test_roles_that_only_read_are_refused_writes(world, api):
    for user in (world.worker, world.auditor, world.department):
        answer = api(user).patch(f"/resources/depots/{world.depot.pk}",
                                 {"name": "改名", "reason": "改"})
        assert answer.status_code == 403


def test_a_depot_with_materials_is_409(world, api):
    answer = api(world.community).delete(f"/resources/depots/{world.depot.pk}",
                                          {"reason": "撤销"})
    assert answer.status_code == 409


def test_phones_are_masked_for_the_auditor(world, api):
    shown = api(world.community).get(f"/resources/depots/{world.depot.pk}").json()
    assert shown["contact_phone"] == "13800138000"
    masked = api(world.auditor).get(f"/resources/depots/{world.depot.pk}").json()
    assert masked["contact_phone"] == "138****8000"


def test_people_and_vehicles_are_filed_under_the_code_given(world, api):
    community = api(world.community)
    person = community.post("/resources/people", {
        "name": "王电工", "skills": "电工", "contact_phone": "13900001111",
        "grid_code": COMMUNITY_1, "reason": "登记"})
    assert person.status_code == 201
    assert person.json()["grid_code"] == COMMUNITY_1
    outside = community.post("/resources/vehicles", {
        "kind": "货车", "plate": "鄂A99999", "grid_code": GRID_C,
        "owner_id": world.office.pk, "reason": "登记"})
    assert outside.status_code == 422
