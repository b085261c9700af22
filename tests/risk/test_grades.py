"""Each rule type, the reasons it gives, the history rows, and time ending a grade."""

import datetime

import pytest
import time_machine
from django.core.management import call_command

from tests.factories import COMMUNITY_1, GRID_A, GRID_B
from tests.risk.conftest import record_case, record_check_in, record_exposure
from wangge.risk.models import Grade, GradeChange, Level, RuleSet
from wangge.risk.rules import reason_text
from wangge.risk.services import RISK, grades_differences, grades_expire, grades_recompute

TODAY = datetime.date(2026, 3, 10)


def grade(kind: str, key: object) -> int:
    row = Grade.objects.filter(kind=kind, key=str(key)).first()
    return row.level if row else Level.LOW


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2026, 3, 10, 9, tzinfo=datetime.UTC),
                             tick=False):
        yield


def test_the_default_rules_are_in_force(db):
    rule_set = RuleSet.objects.get()
    assert (rule_set.version, rule_set.status) == (1, "in_force")


def test_a_confirmed_case_makes_its_person_building_grid_and_community_graded(world):
    person = world.people["tower"][0]
    record_case(person, on=TODAY - datetime.timedelta(days=2))
    assert grade("person", person.pk) == Level.HIGH
    assert grade("building", world.tower.pk) == Level.HIGH
    assert grade("building", world.annex.pk) == Level.LOW
    assert grade("grid", GRID_A) == Level.MEDIUM
    assert grade("grid", GRID_B) == Level.LOW
    assert grade("community", COMMUNITY_1) == Level.MEDIUM
    building = Grade.objects.get(kind="building", key=str(world.tower.pk))
    assert building.grid_code == GRID_A
    lines = [reason_text(reason) for reason in building.reasons]
    assert lines == ["1 resident with a confirmed or asymptomatic infection case within "
                     "14 days.", "1 resident graded medium risk or higher."]
    grid = Grade.objects.get(kind="grid", key=GRID_A)
    assert reason_text(grid.reasons[0], {str(world.tower.pk): "1栋"}) == (
        "1 building graded high risk or higher: 1栋.")
    assert grades_differences() == []


def test_each_change_of_grade_is_kept_with_the_rules_that_made_it(world):
    person = world.people["tower"][0]
    record_case(person)
    changes = GradeChange.objects.filter(kind="person", key=str(person.pk))
    assert [(change.before, change.after) for change in changes] == [(0, 2)]
    assert changes[0].rule_set.version == 1
    assert changes[0].reasons[0]["if"] == "case"
    assert set(GradeChange.objects.values_list("kind", flat=True)) == {
        "person", "building", "grid", "community"}


def test_an_old_case_or_an_excluded_suspicion_grades_nothing(world):
    record_case(world.people["tower"][0], on=TODAY - datetime.timedelta(days=14))
    record_case(world.people["annex"][0], status="excluded")
    record_case(world.people["annex"][1], status="recovered")
    assert not Grade.objects.exists()


def test_a_suspected_case_grades_its_person_medium_and_the_building_medium(world):
    person = world.people["corner"][0]
    record_case(person, status="suspected")
    assert grade("person", person.pk) == Level.MEDIUM
    assert grade("building", world.corner.pk) == Level.MEDIUM
    assert grade("grid", GRID_B) == Level.LOW


def test_exposures_close_and_secondary(world):
    case = record_case(world.people["far"][0], announced=False)
    close = record_exposure(world.people["tower"][0], case,
                            on=TODAY - datetime.timedelta(days=13))
    record_exposure(world.people["tower"][1], case, degree="secondary", via=close,
                    on=TODAY - datetime.timedelta(days=7))
    record_exposure(world.people["annex"][0], case, degree="secondary", via=close,
                    on=TODAY - datetime.timedelta(days=6))
    assert grade("person", world.people["tower"][0].pk) == Level.MEDIUM
    assert grade("person", world.people["tower"][1].pk) == Level.LOW  # 7 days: out
    assert grade("person", world.people["annex"][0].pk) == Level.MEDIUM
    reasons = Grade.objects.get(kind="person", key=str(world.people["tower"][0].pk)).reasons
    assert reason_text(reasons[0]) == ("Close contact of a case, last contact on 2026-02-25, "
                                       "within 14 days.")


def test_check_in_alerts(world):
    person = world.people["annex"][1]
    record_check_in(person, day=TODAY - datetime.timedelta(days=1))
    record_check_in(person, day=TODAY)
    record_check_in(world.people["annex"][0], alert=False)
    assert grade("person", person.pk) == Level.MEDIUM
    assert grade("person", world.people["annex"][0].pk) == Level.LOW
    reasons = Grade.objects.get(kind="person", key=str(person.pk)).reasons
    assert reason_text(reasons[0]) == ("2 check-ins needing attention within 3 days, the last "
                                       "on 2026-03-10.")


def test_a_grid_with_three_high_buildings_is_high_and_two_high_grids_make_a_high_community(
        world):
    from tests.factories import SYSTEM, make_building
    from tests.risk.conftest import new_person
    from wangge.places.services import dwelling_create

    for name in ("4栋", "5栋"):
        building = make_building(GRID_A, name=name)
        flat = dwelling_create(building=building, unit=1, floor=1, room="101", by=SYSTEM)
        record_case(new_person(flat))
    record_case(world.people["tower"][0])
    assert grade("grid", GRID_A) == Level.HIGH
    assert grade("community", COMMUNITY_1) == Level.MEDIUM
    for name in ("6栋", "7栋", "8栋"):
        building = make_building(GRID_B, name=name)
        flat = dwelling_create(building=building, unit=1, floor=1, room="101", by=SYSTEM)
        record_case(new_person(flat))
    assert grade("grid", GRID_B) == Level.HIGH
    assert grade("community", COMMUNITY_1) == Level.HIGH
    assert grades_differences() == []


def test_time_ends_a_grade_and_the_daily_refresh_writes_it(world):
    person = world.people["tower"][0]
    record_case(person, on=TODAY)
    with time_machine.travel(datetime.datetime(2026, 3, 23, 9, tzinfo=datetime.UTC),
                             tick=False):
        grades_expire(by=RISK)
        assert grade("building", world.tower.pk) == Level.HIGH  # day 14 of 14
    with time_machine.travel(datetime.datetime(2026, 3, 24, 9, tzinfo=datetime.UTC),
                             tick=False):
        assert grades_differences() != []
        call_command("risk-grades", "--refresh")
        assert grades_differences() == []
        assert not Grade.objects.exists()
    lowered = GradeChange.objects.filter(kind="building").first()
    assert (lowered.before, lowered.after, lowered.reasons) == (2, 0, [])


def test_the_full_recompute_repairs_and_the_check_fails_on_a_difference(world):
    record_case(world.people["tower"][0], announced=False)
    with pytest.raises(Exception, match="differ"):
        call_command("risk-grades", "--check")
    summary = grades_recompute(by=RISK)
    assert summary.raised["building"] == 1
    call_command("risk-grades", "--check")
