"""The resource database's pages: counts and materials needing attention, lists searched as
one types (htmx), a record with its history, forms through the services with their refusals
shown, phones masked, 404 outside the jurisdiction."""

from decimal import Decimal

import pytest

from tests.factories import GRID_A, GRID_C
from wangge.resources.models import Material, Shelter


@pytest.fixture
def page(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_the_home_counts_each_kind_and_names_what_needs_attention(world, page):
    Material.objects.filter(pk=world.water.pk).update(quantity=Decimal(5))
    response = page(world.community).get("/resources/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "瓶装水" in html  # low stock
    assert "医用口罩" in html  # expiring
    assert response.context["counts"][0][1] == 1  # the depot of community 1 only


def test_the_list_is_searched_as_one_types(world, page):
    client = page(world.street)
    full = client.get("/resources/materials/")
    assert "<form" in full.content.decode()
    partial = client.get("/resources/materials/", {"q": "口罩"}, headers={"HX-Request": "true"})
    html = partial.content.decode()
    assert "<form" not in html
    assert "医用口罩" in html
    assert "瓶装水" not in html


def test_materials_are_filtered_by_condition(world, page):
    response = page(world.street).get("/resources/materials/", {"condition": "expiring"})
    assert [row[0].pk for row in response.context["rows"]] == [world.masks.pk]


def test_a_depot_shows_its_materials_and_history_and_masks_the_phone(world, page):
    shown = page(world.community).get(f"/resources/depots/{world.depot.pk}/")
    html = shown.content.decode()
    assert "瓶装水" in html
    assert "13800138000" in html
    assert "建库" in html  # why it was created
    masked = page(world.auditor).get(f"/resources/depots/{world.depot.pk}/").content.decode()
    assert "138****8000" in masked
    assert "13800138000" not in masked


def test_outside_the_jurisdiction_is_404_and_an_unknown_kind_too(world, page):
    client = page(world.community)
    assert client.get(f"/resources/depots/{world.outside_depot.pk}/").status_code == 404
    assert client.get(f"/resources/depots/{world.outside_depot.pk}/edit/").status_code == 404
    assert client.get("/resources/spaceships/").status_code == 404


def test_a_shelter_is_added_and_changed_through_the_services(world, page):
    client = page(world.community)
    response = client.post("/resources/shelters/new/", {
        "name": "民意小学", "address": "民意路9号", "grid_code": GRID_A, "capacity": "300",
        "occupancy": "0", "drinking_water": "on", "reason": "普查"})
    assert response.status_code == 302
    shelter = Shelter.objects.get(name="民意小学")
    assert shelter.grid_code == GRID_A
    assert shelter.drinking_water
    refused = client.post(f"/resources/shelters/{shelter.pk}/edit/", {
        "name": "民意小学", "address": "民意路9号", "capacity": "300", "occupancy": "301",
        "reason": "安置"})
    assert refused.status_code == 422
    assert refused.context["form"].errors["occupancy"]
    outside = client.post("/resources/shelters/new/", {
        "name": "天声体育馆", "address": "天声路3号", "grid_code": GRID_C, "capacity": "10",
        "occupancy": "0", "reason": "普查"})
    assert outside.status_code == 422
    assert not Shelter.objects.filter(name="天声体育馆").exists()


def test_a_material_takes_its_depots_owner_when_none_is_chosen(world, page):
    response = page(world.community).post("/resources/materials/new/", {
        "depot": world.depot.pk, "category": world.category("food").pk, "item": "方便面",
        "quantity": "40", "unit": "箱", "low_stock_threshold": "5", "reason": "入库"})
    assert response.status_code == 302
    assert Material.objects.get(item="方便面").owner == world.office


def test_roles_that_only_read_have_no_forms(world, page):
    for user in (world.worker, world.auditor):
        client = page(user)
        assert client.get("/resources/shelters/new/").status_code == 403
        assert client.get(f"/resources/depots/{world.depot.pk}/").status_code == 200
    assert page(world.resident).get("/resources/").status_code == 403
