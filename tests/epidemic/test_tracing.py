"""Tracing a case: the household and the co-residents of its unit (or building), whoever
shared a venue window in the infectious period, the households of close contacts as secondary
contacts; idempotent; and the chain of transmission both ways, within the caller's scope."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.epidemic.conftest import at, confirmed, days_ago
from tests.factories import COMMUNITY_1, DISTRICT, GRID_A, GRID_B, make_person, make_user
from wangge.epidemic.models import CaseStatus, Exposure
from wangge.epidemic.selectors import transmission_chain
from wangge.epidemic.services import (
    case_record,
    case_update,
    exposure_add,
    exposures_trace,
    infectious_period,
    visit_record,
)
from wangge.foundation.permissions import Role


def contacts(case):
    return {(exposure.person.name, exposure.degree, exposure.kind,
             exposure.via.person.name if exposure.via else None)
            for exposure in Exposure.objects.filter(case=case).select_related("person",
                                                                                "via__person")}


@pytest.fixture
def traced(world_town):
    """The head of the household, confirmed (onset 3 days ago, reported yesterday), was at
    the clinic 2 days ago from 10:00 to 11:00; 钱七 (grid B) from 10:30, 孙八 (grid C) from
    11:00 (the minute the head left: no overlap), 张小明 there 10 days ago."""
    town, venue = world_town.town, world_town.venue
    for person, arrived, left in ((town.head, at(2, 10), at(2, 11)),
                                  (town.in_b, at(2, 10, 30), at(2, 12)),
                                  (town.child, at(10, 10), at(10, 11))):
        visit_record(venue=venue, person=person, arrived=arrived, left=left, by=town.district)
    stranger = make_person(GRID_A, name="郑二")
    visit_record(venue=venue, person=stranger, arrived=at(2, 11), left=at(2, 12),
                 by=town.district)
    return world_town, confirmed(world_town)


def test_the_infectious_period(traced):
    _world, case = traced
    assert infectious_period(case) == (days_ago(5), days_ago(1))
    case.onset_on = None
    assert infectious_period(case) == (days_ago(3), days_ago(1))


def test_close_and_secondary_contacts_are_found(traced, announced):
    world, case = traced
    town = world.town
    result = exposures_trace(case=case, by=town.worker)
    assert contacts(case) == {
        ("李娜", "close", "household", None), ("张小明", "close", "household", None),
        ("王芳", "close", "building", None),  # the same unit, next door
        ("钱七", "close", "venue", None),  # the same clinic at the same time
        ("吴十", "secondary", "household", "钱七"),  # 钱七's household
    }
    assert (result.added, result.close, result.secondary) == (5, 4, 1)
    venue_contact = Exposure.objects.get(case=case, person=town.in_b)
    assert venue_contact.last_contact_on == days_ago(2)
    assert venue_contact.visit is not None
    assert venue_contact.grid_code == GRID_B  # filed for the contact's own grid worker
    household = Exposure.objects.get(case=case, person=town.spouse)
    assert household.last_contact_on == days_ago(1)
    assert announced[-1]["persons"] == {town.head.pk, town.spouse.pk, town.child.pk,
                                        town.neighbour.pk, town.in_b.pk, world.b_spouse.pk}
    assert announced[-1]["venues"] == {world.venue.pk}
    assert announced[-1]["buildings"] == {town.building.pk}
    # Again: nothing new, nothing changed.
    again = exposures_trace(case=case, by=town.worker)
    assert (again.added, again.changed, again.close, again.secondary) == (0, 0, 4, 1)
    assert Exposure.objects.filter(case=case).count() == 5


def test_a_secondary_contact_found_close_is_raised(traced):
    world, case = traced
    town = world.town
    exposures_trace(case=case, by=town.worker)
    exposure_add(case=case, person=world.b_spouse, last_contact_on=days_ago(1),
                 by=town.district)
    raised = Exposure.objects.get(case=case, person=world.b_spouse)
    assert (raised.degree, raised.kind, raised.via) == ("close", "listed", None)
    exposures_trace(case=case, by=town.worker)
    assert Exposure.objects.get(case=case, person=world.b_spouse).degree == "close"


@pytest.mark.parametrize(("extent", "found"), [
    ("unit", {"王芳"}), ("building", {"王芳", "周九"}), ("none", set())])
def test_co_residents_per_setting(traced, settings, extent, found):
    settings.WANGGE_BUILDING_CONTACTS = extent
    world, case = traced
    exposures_trace(case=case, by=world.town.worker)
    assert {name for name, _degree, kind, _via in contacts(case) if kind == "building"} == found


def test_someone_living_away_is_no_household_contact(world_town):
    town = world_town.town
    case = confirmed(world_town, person=town.away)
    exposures_trace(case=case, by=town.worker)
    assert contacts(case) == set()


def test_tracing_is_recorded_staff_work(traced):
    world, case = traced
    town = world.town
    with pytest.raises(PermissionDenied):
        exposures_trace(case=case, by=town.street)
    with pytest.raises(ValidationError):
        exposures_trace(case=case, by=town.outsider)
    excluded = case_record(person=town.neighbour, status=CaseStatus.SUSPECTED,
                           source="self", reported_on=days_ago(1), by=town.worker)
    case_update(case=excluded, by=town.worker, reason="核酸阴性", status=CaseStatus.EXCLUDED,
                ended_on=days_ago(0))
    with pytest.raises(ValidationError):
        exposures_trace(case=excluded, by=town.worker)


def test_the_chain_both_ways_within_scope(traced):
    """A (grid A) → B (钱七, grid B) → C (孙八, grid C)."""
    world, case_a = traced
    town = world.town
    exposures_trace(case=case_a, by=town.worker)
    case_b = confirmed(world, person=town.in_b, by=town.district, source_case=case_a)
    case_c = confirmed(world, person=town.in_c, by=town.district, source_case=case_b)
    district = town.district
    chain = transmission_chain(case_a, district)
    [node_b] = chain.root.onward
    assert node_b.case == case_b
    assert [n.case for n in node_b.onward] == [case_c]
    assert {c.exposure.person.name for c in chain.root.contacts} == {
        "李娜", "张小明", "王芳", "钱七"}
    [venue_contact] = [c for c in chain.root.contacts if c.exposure.person == town.in_b]
    assert [e.person.name for e in venue_contact.secondary] == ["吴十"]
    assert chain.root.hidden_contacts == 0
    assert not chain.upward
    upward = transmission_chain(case_c, district)
    assert upward.upward == [case_b, case_a]
    from_b = transmission_chain(case_b, district)
    assert [exposure.case for exposure in from_b.exposed_to] == [case_a]
    # Grid A's worker: B (grid B) and the contacts filed in grid B are counted, not shown.
    worker = transmission_chain(case_a, town.worker)
    assert worker.root.onward == []
    assert worker.root.hidden_onward == 1
    assert {c.exposure.person.name for c in worker.root.contacts} == {"李娜", "张小明", "王芳"}
    assert worker.root.hidden_contacts == 2
    # Community 1 (grids A and B): C, in grid C, is counted under B.
    community = make_user(Role.COMMUNITY_STAFF, COMMUNITY_1)
    chain = transmission_chain(case_a, community)
    [node_b] = chain.root.onward
    assert node_b.onward == []
    assert node_b.hidden_onward == 1
    # From C, grid B's worker sees nothing upward but counts it.
    in_b = make_user(Role.GRID_WORKER, GRID_B)
    assert transmission_chain(case_b, in_b).hidden_upward == 1
    # Bounded in depth.
    shallow = transmission_chain(case_a, make_user(Role.DISTRICT_ADMIN, DISTRICT), depth=1)
    assert shallow.root.onward == []
    assert shallow.truncated


def test_the_chain_takes_the_same_queries_however_many_cases(world_town):
    town = world_town.town
    root = confirmed(world_town)
    district = town.district

    def onward(count):
        for number in range(count):
            person = make_person(GRID_A, name=f"传{number}")
            case = confirmed(world_town, person=person, by=district, source_case=root)
            exposure_add(case=case, person=town.neighbour, last_contact_on=days_ago(1),
                         by=district)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            transmission_chain(root, district)
        return len(captured)

    onward(2)
    few = queries()
    onward(6)
    assert queries() == few
