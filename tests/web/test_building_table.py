"""The building page is a building table (楼盘表): units × floors, each flat with how many
live there, empty flats marked; names and links only for roles that may view people."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import GRID_A, GRID_C, SYSTEM, make_building, make_person, make_user
from wangge.foundation.permissions import Role
from wangge.places.services import dwelling_create
from wangge.web import selectors


@pytest.fixture
def building(world):
    """Two units, three floors and a basement: 101 has two residents, 201 none, 102 one; B01
    of unit 2 is empty."""
    building = make_building(GRID_A, name="7栋", units=2, floors=3)
    flats = {(unit, floor, room): dwelling_create(building=building, unit=unit, floor=floor,
                                                  room=room, by=SYSTEM)
             for unit, floor, room in [(1, 1, "101"), (1, 2, "201"), (2, 1, "102"),
                                       (2, -1, "B01")]}
    make_person(GRID_A, name="甲一", dwelling=flats[1, 1, "101"])
    make_person(GRID_A, name="甲二", dwelling=flats[1, 1, "101"])
    make_person(GRID_A, name="乙一", dwelling=flats[2, 1, "102"])
    return building, flats


def test_the_table_has_units_across_and_floors_down(client, building):
    building, flats = building
    client.force_login(make_user(Role.GRID_WORKER, GRID_A))
    response = client.get(reverse("web:building", args=[building.pk]))
    table = response.context["table"]
    assert table["units"] == [1, 2]
    assert [row["floor"] for row in table["rows"]] == [3, 2, 1, -1]  # top floor first
    ground = table["rows"][2]["cells"]
    assert [(flat.room, flat.residents) for flat in ground[0]] == [("101", 2)]
    assert [(flat.room, flat.residents) for flat in ground[1]] == [("102", 1)]
    assert [flat.empty for flat in table["rows"][1]["cells"][0]] == [True]  # 201
    assert table["rows"][0]["cells"] == [[], []]  # the third floor: no flat recorded
    assert (table["flats"], table["residents"], table["empty"]) == (4, 3, 2)
    page = response.content.decode()
    assert 'class="building-table"' in page
    assert 'class="flat empty"' in page
    assert "甲一、甲二" in page
    assert ">B1<" in page  # the basement
    assert reverse("web:dwelling", args=[flats[1, 1, "101"].pk]) in page


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.SYSTEM_ADMIN])
def test_a_role_that_sees_no_people_sees_counts_only(client, building, role):
    building, flats = building
    client.force_login(make_user(role, GRID_A))
    response = client.get(reverse("web:building", args=[building.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    ground = response.context["table"]["rows"][2]["cells"]
    assert [flat.residents for flat in ground[0]] == [2]
    assert "甲一" not in page
    assert "乙一" not in page
    assert reverse("web:dwelling", args=[flats[1, 1, "101"].pk]) not in page
    assert response.context["table"]["shows_people"] is False


def test_a_volunteer_sees_names_but_nothing_masked(client, building):
    building, _flats = building
    client.force_login(make_user(Role.VOLUNTEER, GRID_A))
    response = client.get(reverse("web:building", args=[building.pk]))
    page = response.content.decode()
    assert "乙一" in page
    assert "****" not in page  # no number, masked or not: the table shows names only
    assert response.context["table"]["residents"] == 3


def test_the_table_costs_the_same_queries_for_a_tall_building(client, world,
                                                              django_assert_max_num_queries):
    client.force_login(make_user(Role.GRID_WORKER, GRID_A))
    small = make_building(GRID_A, name="小楼", units=1, floors=1)
    dwelling_create(building=small, unit=1, floor=1, room="101", by=SYSTEM)
    tall = make_building(GRID_A, name="高楼", units=4, floors=30)
    for floor in range(1, 31):
        for unit in range(1, 5):
            dwelling = dwelling_create(building=tall, unit=unit, floor=floor,
                                       room=f"{floor}0{unit}", by=SYSTEM)
            if unit == 1:
                make_person(GRID_A, name="住户", dwelling=dwelling)
    client.get(reverse("web:building", args=[small.pk]))  # warm the session and caches
    with CaptureQueriesContext(connection) as small_queries:
        client.get(reverse("web:building", args=[small.pk]))
    with django_assert_max_num_queries(len(small_queries)):
        response = client.get(reverse("web:building", args=[tall.pk]))
    assert response.context["table"]["flats"] == 120


def test_a_building_outside_the_jurisdiction_is_404(client, world):
    client.force_login(make_user(Role.GRID_WORKER, GRID_A))
    assert client.get(reverse("web:building", args=[make_building(GRID_C).pk])).status_code == 404


def test_a_building_too_big_to_draw_is_a_paged_list(client, building, monkeypatch):
    building, _flats = building
    monkeypatch.setattr(selectors, "BUILDING_TABLE_LIMIT", 2)
    client.force_login(make_user(Role.GRID_WORKER, GRID_A))
    response = client.get(reverse("web:building", args=[building.pk]))
    assert response.context["table"] is None
    assert len(response.context["dwellings"].object_list) == 4
