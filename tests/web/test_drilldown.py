"""Division → grid → building → dwelling → residents, each scoped to the user."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import COMMUNITY_1, DISTRICT, GRID_A, GRID_B, make_building, make_user
from wangge.foundation.permissions import Role


def test_grid_worker_sees_own_grid_residents_only(worker_client, residents):
    a, b = residents["a"], residents["b"]
    page = worker_client.get(f"/dwellings/{a.dwelling.pk}/").content.decode()
    assert "甲居民" in page
    grid_page = worker_client.get(f"/grids/{GRID_A}/").content.decode()
    assert a.dwelling.building.name in grid_page
    assert b.dwelling.building.name not in grid_page
    assert "乙居民" not in worker_client.get("/people/?q=乙").content.decode()


@pytest.mark.parametrize("url", [
    "/grids/{grid_b}/", "/buildings/{building_b}/", "/dwellings/{dwelling_b}/",
    "/people/{person_b}/", "/people/{person_b}/edit/", "/divisions/{community}/",
])
def test_records_of_another_grid_are_404(worker_client, residents, url):
    b = residents["b"]
    url = url.format(grid_b=GRID_B, building_b=b.dwelling.building.pk,
                     dwelling_b=b.dwelling.pk, person_b=b.pk, community=COMMUNITY_1)
    assert worker_client.get(url).status_code == 404


@pytest.mark.parametrize("url", [
    "/grids/420102009009009/", "/buildings/999999/", "/dwellings/999999/", "/people/999999/",
    "/divisions/420102009000/",
])
def test_records_that_do_not_exist_are_404_too(worker_client, residents, url):
    assert worker_client.get(url).status_code == 404


def test_division_lists_children_with_counts_and_breadcrumbs(client, residents):
    client.force_login(make_user(Role.DISTRICT_ADMIN, DISTRICT))
    response = client.get(f"/divisions/{COMMUNITY_1}/")
    assert [grid.code for grid in response.context["grids"]] == [GRID_A, GRID_B]
    assert [grid.population for grid in response.context["grids"]] == [1, 1]
    assert [step["name"] for step in response.context["trail"]] == ["江岸区", "大智街道"]
    district = client.get(f"/divisions/{DISTRICT}/").context["children"]
    assert [(child.name, child.population) for child in district] == [
        ("大智街道", 2), ("一元街道", 0)]


def test_grid_breadcrumbs_skip_divisions_outside_the_jurisdiction(worker_client, residents):
    building = residents["a"].dwelling.building
    trail = worker_client.get(f"/buildings/{building.pk}/").context["trail"]
    assert trail == [{"name": "民意一网格", "url": f"/grids/{GRID_A}/"}]


def test_building_list_is_paginated_without_a_query_per_row(worker_client, world, settings):
    settings.WANGGE_PAGE_SIZE = 3
    for number in range(7):
        make_building(GRID_A, name=f"{number + 1}栋")
    with CaptureQueriesContext(connection) as few:
        worker_client.get(f"/grids/{GRID_A}/")
    page = worker_client.get(f"/grids/{GRID_A}/?page=3")
    assert [building.name for building in page.context["buildings"]] == ["7栋"]
    make_building(GRID_A, name="8栋")
    with CaptureQueriesContext(connection) as more:
        worker_client.get(f"/grids/{GRID_A}/")
    assert len(more) == len(few)
