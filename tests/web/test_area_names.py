"""Names instead of codes: a person sees a grid or a division by its name, read in one query
per page (``divisions.selectors.area_name`` inside a list's query, ``area_names`` for codes
in hand)."""

from django.urls import reverse

from tests.factories import (
    COMMUNITY_1,
    GRID_A,
    GRID_B,
    SYSTEM,
    make_person,
    make_user,
)
from wangge.divisions.selectors import area_name, area_names, with_area_names
from wangge.foundation.permissions import Role
from wangge.patrols.models import Patrol
from wangge.patrols.services import patrol_start
from wangge.people.services import person_update
from wangge.places.models import Building
from wangge.places.services import building_create


def test_area_names_reads_grids_and_divisions_in_one_query(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        names = area_names([GRID_A, COMMUNITY_1, "999999999999"])
    assert names == {GRID_A: "民意一网格", COMMUNITY_1: "民意社区"}
    with django_assert_num_queries(0):
        assert area_names([]) == {}


def test_area_name_annotates_a_list_within_its_own_query(world, django_assert_num_queries):
    building_create(name="甲楼", address="路1号", longitude=None, latitude=None,
                    division_code=COMMUNITY_1, by=SYSTEM)
    building_create(name="乙楼", address="路2号", longitude=114.315, latitude=30.605, by=SYSTEM)
    with django_assert_num_queries(1):
        named = {building.name: building.area_name
                 for building in Building.objects.annotate(area_name=area_name())}
    assert named == {"甲楼": "民意社区", "乙楼": "民意二网格"}


def test_with_area_names_falls_back_to_the_code(world):
    class Row:
        grid_code = "420102009009009"

    [row] = with_area_names([Row()])
    assert row.area_name == "420102009009009"


def test_patrol_pages_name_the_grid(client, world):
    worker = make_user(Role.GRID_WORKER, GRID_A, GRID_B)
    patrol: Patrol = patrol_start(grid_code=GRID_B, by=worker)
    client.force_login(worker)
    for url in (reverse("patrols:home"), reverse("patrols:detail", args=[patrol.pk]),
                reverse("patrols:history") + f"?code={GRID_B}"):
        page = client.get(url).content.decode()
        assert "民意二网格" in page, url
        assert GRID_B not in page.replace(f"code={GRID_B}", ""), url
    client.post(reverse("patrols:end", args=[patrol.pk]))
    start = client.get(reverse("patrols:home")).content.decode()
    assert '<option value="420102001001001">民意一网格</option>' in start


def test_unplaced_buildings_name_the_division_they_are_filed_under(client, world):
    building_create(name="新楼", address="规划路1号", longitude=None, latitude=None,
                    division_code=COMMUNITY_1, by=SYSTEM)
    client.force_login(make_user(Role.COMMUNITY_STAFF, COMMUNITY_1))
    page = client.get(reverse("web:unplaced")).content.decode()
    assert "民意社区" in page


def test_search_results_name_the_grid(client, world):
    make_person(GRID_B, name="赵六")
    client.force_login(make_user(Role.STREET_OFFICER, COMMUNITY_1))
    page = client.get(reverse("web:person_search"), {"q": "赵"}).content.decode()
    assert "民意二网格" in page


def test_history_names_people_not_accounts(client, world):
    worker = make_user(Role.GRID_WORKER, GRID_A, username="worker-zhang")
    worker.first_name = "张网格"
    worker.save()
    person = make_person(GRID_A, name="钱七")
    person_update(person=person, by=worker, reason="入户核实", occupation="教师")
    client.force_login(worker)
    page = client.get(reverse("web:person", args=[person.pk])).content.decode()
    assert "张网格" in page
    assert "worker-zhang ·" not in page


def test_a_pair_of_possible_duplicates_names_households_by_their_head(world):
    from wangge.linkage.selectors import pair_facts
    from wangge.people.selectors import household_name
    from wangge.people.services import household_create

    head = make_person(GRID_A, name="孙八")
    household = household_create(head=head, by=SYSTEM)
    other = make_person(GRID_A, name="孙八")
    facts = {row["field"]: row for row in pair_facts(make_user(Role.COMMUNITY_STAFF, GRID_A),
                                                     head, other)}
    assert facts["household"]["left"] == household_name(household)
    assert facts["household"]["right"] is None
