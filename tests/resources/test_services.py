"""The resource database's writes: the rules of ``resource_checked``, history with who and
why, deleting, and ``material_adjust`` (locked, never below zero)."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from tests.factories import COMMUNITY_1, GRID_A, GRID_B, GRID_C, SYSTEM, make_building
from wangge.foundation.history import RecordInUseError
from wangge.resources.models import (
    CallablePerson,
    Depot,
    Material,
    MaterialCategory,
    Shelter,
    Vehicle,
)
from wangge.resources.services import (
    material_adjust,
    material_create,
    resource_create,
    resource_delete,
    resource_update,
)


def test_the_shared_categories_are_installed(world):
    assert list(MaterialCategory.objects.values_list("code", flat=True)) == [
        "food", "water", "medical", "protection", "shelter", "rescue", "power", "sanitation",
        "other"]


def test_a_depot_is_placed_by_its_point_and_keeps_who_and_why(world):
    assert world.depot.grid_code == GRID_A
    assert world.depot.contact_phone == "13800138000"
    created = world.depot.history.get()
    assert created.history_change_reason == "tests: 建库"


def test_a_material_carries_its_depots_code_and_owner(world):
    assert world.water.grid_code == GRID_A
    assert world.water.owner == world.office


def test_a_place_is_filed_under_the_code_given_or_the_building_its_address_names(world):
    shelter = resource_create(model=Shelter, by=world.community, reason="新增",
                              grid_code=GRID_B, name="民意小学", address="民意路9号",
                              capacity=300)
    assert shelter.grid_code == GRID_B
    make_building(GRID_A, name="8栋")
    by_address = resource_create(model=Shelter, by=world.community, reason="新增",
                                 name="8栋架空层", address="测试路8栋", capacity=40)
    assert by_address.grid_code == GRID_A
    with pytest.raises(ValidationError) as refused:
        resource_create(model=Shelter, by=world.community, reason="新增", name="无处",
                        address="不存在的路100号", capacity=10)
    assert "address" in refused.value.message_dict


def test_a_place_outside_the_jurisdiction_is_refused(world):
    with pytest.raises(ValidationError) as refused:
        resource_create(model=Shelter, by=world.community, reason="新增", grid_code=GRID_C,
                        name="天声体育馆", address="天声路3号", capacity=500)
    assert "grid_code" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        material_create(depot=world.outside_depot, category=world.category("food"),
                        item="方便面", quantity=Decimal(10), unit="箱", by=world.community,
                        reason="入库")
    assert "depot" in refused.value.message_dict


def test_roles_without_edit_resources_are_refused(world):
    for user in (world.worker, world.department, world.auditor):
        with pytest.raises(PermissionDenied):
            resource_update(record=world.water, by=user, reason="改", quantity=Decimal(1))


def test_an_actor_is_required(world):
    with pytest.raises(TypeError):
        resource_update(record=world.water, by=None, reason="改", quantity=Decimal(1))


def test_a_reason_is_required(world):
    with pytest.raises(ValidationError) as refused:
        resource_update(record=world.water, by=world.community, reason=" ",
                        quantity=Decimal(1))
    assert "reason" in refused.value.message_dict


def test_occupancy_never_exceeds_capacity(world):
    shelter = resource_create(model=Shelter, by=world.community, reason="新增",
                              grid_code=GRID_A, name="民意小学", address="民意路9号",
                              capacity=300, occupancy=120)
    with pytest.raises(ValidationError) as refused:
        resource_update(record=shelter, by=world.community, reason="安置", occupancy=301)
    assert "occupancy" in refused.value.message_dict


def test_one_line_per_depot_item_unit_and_expiry(world):
    with pytest.raises(ValidationError) as refused:
        material_create(depot=world.depot, category=world.category("water"), item="瓶装水",
                        quantity=Decimal(5), unit="箱", by=world.community, reason="入库")
    assert "item" in refused.value.message_dict
    other_unit = material_create(depot=world.depot, category=world.category("water"),
                                 item="瓶装水", quantity=Decimal(24), unit="瓶",
                                 by=world.community, reason="入库")
    assert other_unit.pk


def test_phones_are_normalised_and_bad_ones_named(world):
    person = resource_create(model=CallablePerson, by=world.community, reason="登记",
                             grid_code=COMMUNITY_1, name="王电工", skills="电工",
                             contact_phone="+86 139-0000-1111")
    assert person.contact_phone == "13900001111"
    with pytest.raises(ValidationError) as refused:
        resource_create(model=CallablePerson, by=world.community, reason="登记",
                        grid_code=COMMUNITY_1, name="赵", skills="司机", contact_phone="12")
    assert "contact_phone" in refused.value.message_dict


def test_a_plate_is_folded_and_held_once(world):
    vehicle = resource_create(model=Vehicle, by=world.community, reason="登记",
                              grid_code=GRID_A, kind="货车", plate="鄂Ａ·１２３４５",
                              owner=world.office)
    assert vehicle.plate == "鄂A12345"
    with pytest.raises(ValidationError) as refused:
        resource_create(model=Vehicle, by=world.community, reason="登记", grid_code=GRID_A,
                        kind="货车", plate="鄂a 12345", owner=world.office)
    assert "plate" in refused.value.message_dict


def test_an_unknown_code_and_an_unseen_organization_are_refused(world):
    with pytest.raises(ValidationError) as refused:
        resource_create(model=Vehicle, by=world.community, reason="登记",
                        grid_code="420102001001999", kind="货车", plate="鄂A00001",
                        owner=world.other_office)
    assert {"grid_code", "owner"} & set(refused.value.message_dict)
    with pytest.raises(ValidationError) as refused:
        resource_create(model=Vehicle, by=world.community, reason="登记", grid_code=GRID_A,
                        kind="货车", plate="鄂A00001", owner=world.other_office)
    assert "owner" in refused.value.message_dict


def test_a_depot_with_materials_is_not_deleted_an_empty_one_is(world):
    with pytest.raises(RecordInUseError):
        resource_delete(record=world.depot, by=world.community, reason="撤销")
    resource_delete(record=world.water, by=world.community, reason="报废")
    resource_delete(record=world.masks, by=world.community, reason="报废")
    depot_id = world.depot.pk
    resource_delete(record=world.depot, by=world.community, reason="撤销")
    assert not Depot.objects.filter(pk=depot_id).exists()
    last = Depot.history.filter(id=depot_id).latest("history_date")
    assert last.history_type == "-"
    assert last.history_change_reason == "撤销"
    assert last.history_user == world.community


def test_a_move_to_another_grid_places_it_again(world):
    shelter = resource_create(model=Shelter, by=world.street, reason="新增", grid_code=GRID_A,
                              name="民意小学", address="民意路9号", capacity=300)
    resource_update(record=shelter, by=world.street, reason="更正", grid_code=GRID_B)
    shelter.refresh_from_db()
    assert shelter.grid_code == GRID_B
    assert shelter.history.count() == 2


def test_material_adjust_delivers_and_dispatches_never_below_zero(world):
    material_adjust(material=world.water, change=Decimal(-30), by=world.community,
                    reason="调拨至民意一网格")
    material_adjust(material=world.water, change=Decimal(5), by=world.community,
                    reason="补货")
    world.water.refresh_from_db()
    assert world.water.quantity == Decimal(75)
    with pytest.raises(ValidationError) as refused:
        material_adjust(material=world.water, change=Decimal(-76), by=world.community,
                        reason="调拨")
    assert "change" in refused.value.message_dict
    world.water.refresh_from_db()
    assert world.water.quantity == Decimal(75)
    reasons = list(world.water.history.values_list("history_change_reason", flat=True))
    assert reasons[:2] == ["补货", "调拨至民意一网格"]


def test_material_adjust_outside_the_jurisdiction_is_refused(world):
    line = material_create(depot=world.outside_depot, category=world.category("food"),
                           item="方便面", quantity=Decimal(10), unit="箱", by=SYSTEM,
                           reason="入库")
    with pytest.raises(ValidationError):
        material_adjust(material=line, change=Decimal(-1), by=world.community, reason="调拨")


@pytest.mark.django_db(transaction=True)
def test_two_dispatches_at_once_never_both_take_the_last_boxes():
    """Two dispatches of 60 from a line of 100: the lock makes one wait and be refused."""
    from tests.resources.conftest import make_world

    world = make_world()
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers on its own; the row lock is PostgreSQL's")
    outcomes: list[str] = []

    def dispatch() -> None:
        try:
            material_adjust(material=Material.objects.get(pk=world.water.pk),
                            change=Decimal(-60), by=world.community, reason="调拨")
            outcomes.append("sent")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatch) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "sent"]
    world.water.refresh_from_db()
    assert world.water.quantity == Decimal(40)


def test_a_material_without_a_depot_is_refused_by_name(world):
    with pytest.raises(ValidationError) as refused:
        resource_create(model=Material, by=world.community, reason="入库", item="饼干",
                        category=world.category("food"), quantity=Decimal(1), unit="箱")
    assert "depot" in refused.value.message_dict
