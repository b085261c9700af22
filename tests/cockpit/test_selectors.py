"""The cockpit's units and figures, composed from the apps' selectors and scoped like them."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from tests.factories import (
    COMMUNITY_1,
    DISTRICT,
    GRID_A,
    GRID_B,
    GRID_C,
    STREET_1,
    STREET_2,
    make_user,
)
from wangge.cockpit.selectors import cockpit, cockpit_trail, cockpit_unit, registry
from wangge.events.figures import period_of
from wangge.foundation.permissions import Role


def test_a_district_leader_opens_the_district_and_its_streets_by_name(city):
    unit = cockpit_unit(city.loop.district)
    assert (unit.code, unit.name) == (DISTRICT, "江岸区")
    assert [(child.code, child.name) for child in unit.children] == [
        (STREET_1, "大智街道"), (STREET_2, "一元街道")]
    community = cockpit_unit(city.loop.district, COMMUNITY_1)
    assert [child.name for child in community.children] == ["民意一网格", "民意二网格"]
    assert cockpit_unit(city.loop.district, GRID_A).children == ()
    assert [above.name for above in cockpit_trail(city.loop.district, community)] == [
        "江岸区", "大智街道"]


def test_a_street_officer_cannot_open_another_street(city):
    street = city.loop.street
    assert cockpit_unit(street).code == STREET_1
    for code in (STREET_2, GRID_C, DISTRICT, "420102002001", "nonsense", "4201020010011"):
        with pytest.raises(Http404):
            cockpit_unit(street, code)
    # The trail stops at what the officer may open.
    assert cockpit_trail(street, cockpit_unit(street, GRID_A))[0].code == STREET_1


def test_a_grid_worker_has_no_cockpit(city):
    with pytest.raises(PermissionDenied):
        cockpit_unit(city.loop.worker)


def test_several_jurisdictions_together(city):
    both = make_user(Role.COMMUNITY_STAFF, GRID_A, GRID_B, username="two-grids")
    unit = cockpit_unit(both)
    assert unit.code == ""
    assert [child.code for child in unit.children] == [GRID_A, GRID_B]
    found = cockpit(both, unit, period_of())
    assert found.totals.reported == 3  # grid A: two; grid B: one
    assert {child.code: figures.reported for child, figures in found.areas} == {
        GRID_A: 2, GRID_B: 1}
    assert cockpit_trail(both, cockpit_unit(both, GRID_A))[0].code == ""


def test_the_whole_cockpit_of_a_district(city):
    found = cockpit(city.loop.district, cockpit_unit(city.loop.district), period_of())
    totals = found.totals
    assert (totals.reported, totals.closed, totals.set_aside, totals.overdue) == (4, 1, 1, 1)
    assert totals.closure_rate == pytest.approx(1 / 3)
    assert {child.code: (figures.reported, figures.overdue_now)
            for child, figures in found.areas} == {STREET_1: (3, 1), STREET_2: (1, 0)}
    assert {channel.value: figures.reported for channel, figures in found.channels} == {
        "web": 3, "api": 0, "public": 1}
    assert sum(figures.reported for _step_first, _step_last, figures in found.series) == 4
    assert {child.code: (coverage.buildings, coverage.visited)
            for child, coverage in found.patrols} == {STREET_1: (4, 1), STREET_2: (1, 0)}
    assert (found.registry.residents, found.registry.residence_types["renting"]) == (3, 1)
    assert found.registry.vulnerable_groups["elderly_alone"] == 1
    assert found.registry.vulnerable_groups["disabled"] == 1
    assert [(child.code, residents, vulnerable)
            for child, residents, vulnerable in found.registry.children] == [
        (STREET_1, 2, 1), (STREET_2, 1, 1)]


def test_a_street_officer_counts_only_the_street(city):
    street = city.loop.street
    found = cockpit(street, cockpit_unit(street), period_of())
    assert found.totals.reported == 3
    assert found.registry.residents == 2
    assert [child.code for child, _coverage in found.patrols] == [COMMUNITY_1]


def test_a_grid_shows_its_own_patrol_coverage(city):
    district = city.loop.district
    found = cockpit(district, cockpit_unit(district, GRID_A), period_of())
    assert [(unit.code, coverage.buildings, coverage.visited)
            for unit, coverage in found.patrols] == [(GRID_A, 3, 1)]
    assert found.areas == []
    assert found.registry.residents == 1


def test_the_care_population_only_for_those_who_see_the_groups(city):
    volunteer = make_user(Role.VOLUNTEER, DISTRICT)  # sees residents, groups masked
    unit = cockpit_unit(city.loop.district)
    counted = registry(volunteer, unit)
    assert counted.residents == 3
    assert counted.vulnerable_groups is None
    resident = make_user(Role.RESIDENT, DISTRICT)  # sees no one
    assert registry(resident, unit) is None
