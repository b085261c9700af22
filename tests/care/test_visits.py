"""Visit rules and visits on a frozen clock: what is due and overdue, in whose list, what a
visit changes, "needs help" opening an event, the on-time share, and who may do what."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.care.conftest import JOINED, joined, make_care
from tests.factories import DISTRICT, GRID_A, GRID_C, SYSTEM, make_person, make_user
from wangge.care.models import CareRule, CareVisit, Outcome
from wangge.care.selectors import OnTime, visit_due_for, visits_due, visits_on_time
from wangge.care.services import care_rule_save, care_visit_record
from wangge.events.models import Category, State
from wangge.events.selectors import event_tasks
from wangge.foundation.codes import scope_prefix
from wangge.foundation.permissions import Role
from wangge.populations.models import Population

pytestmark = pytest.mark.django_db


def day(offset: int, hour: int = 10) -> datetime.datetime:
    """``offset`` days after the circumstances were recorded, at ``hour`` local time."""
    return datetime.datetime.combine(JOINED + datetime.timedelta(days=offset),
                                     datetime.time(hour)).astimezone()


@pytest.fixture
def care(world):
    with time_machine.travel(day(0), tick=False):
        return make_care()


def due(user, **options):
    return {(entry.person.name, entry.due_on, entry.overdue) for entry in
            visits_due(user, **options)}


def visit(care, person, outcome=Outcome.WELL, by=None, **options):
    rule = visit_due_for(by or care.worker, person)[0]
    return care_visit_record(person=person, rule=rule, outcome=outcome,
                             by=by or care.worker, **options)


def test_the_shipped_rules(care):
    rules = {(rule.population.key, rule.field_key, rule.field_value): rule.interval_days
             for rule in CareRule.objects.select_related("population")}
    assert rules == {("older_people", "living_situation", "alone"): 7,
                     ("disability", "", ""): 30, ("chronic_illness", "", ""): 30,
                     ("left_behind_child", "", ""): 14}


def test_a_first_visit_is_due_an_interval_after_the_circumstance_began(care):
    week = JOINED + datetime.timedelta(days=7)
    with time_machine.travel(day(6), tick=False):
        assert due(care.worker) == set()
    with time_machine.travel(day(7), tick=False):
        assert due(care.worker) == {("王秀英", week, False)}  # due today
    with time_machine.travel(day(9), tick=False):
        [entry] = visits_due(care.worker)
        assert (entry.due_on, entry.overdue, entry.days_overdue) == (week, True, 2)
    # Living with family: under no rule, never due. A disability: monthly.
    with time_machine.travel(day(30), tick=False):
        assert due(care.worker) == {("王秀英", week, True),
                                    ("刘强", JOINED + datetime.timedelta(days=30), False)}


def test_the_next_visit_is_due_an_interval_after_the_last(care):
    with time_machine.travel(day(9), tick=False):
        visit(care, care.alone, note="精神很好")
        assert due(care.worker) == set()
    with time_machine.travel(day(15, hour=23), tick=False):
        assert due(care.worker) == set()
    with time_machine.travel(day(16, hour=0), tick=False):
        assert due(care.worker) == {("王秀英", JOINED + datetime.timedelta(days=16), False)}
    # Not found at home is still a call made: the clock starts again from it.
    with time_machine.travel(day(17), tick=False):
        visit(care, care.alone, Outcome.NOT_HOME)
        assert due(care.worker) == set()


def test_a_person_under_two_rules_is_listed_once_under_the_first_due(care):
    joined(care.alone, "disability", {"category": "1", "grade": "3"})
    with time_machine.travel(day(31), tick=False):
        listed = [entry for entry in visits_due(care.worker) if entry.person == care.alone]
        assert [(entry.rule, entry.due_on) for entry in listed] == [
            (care.weekly, JOINED + datetime.timedelta(days=7))]
        # One visit covers both rules.
        visit(care, care.alone)
        assert {entry.person for entry in visits_due(care.worker)} == {care.disabled}


def test_each_sees_what_is_due_in_their_jurisdiction_only(care):
    with time_machine.travel(day(40), tick=False):
        assert {entry.person.name for entry in visits_due(care.worker)} == {"王秀英", "刘强"}
        assert {entry.person.name for entry in visits_due(care.outsider)} == {"陈淑珍"}
        assert {entry.person.name for entry in visits_due(care.community)} == {"王秀英", "刘强"}
        assert {entry.person.name for entry in visits_due(care.district)} == {
            "王秀英", "刘强", "陈淑珍"}
        assert {entry.person.name for entry in visits_due(care.district, code=GRID_C)} == {
            "陈淑珍"}
        # Roles that see vulnerable groups masked see nothing of it.
        assert visits_due(care.volunteer) == []
        assert visits_due(care.department) == []


def test_what_is_due_costs_a_query_per_rule_however_many_people(care):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            visits_due(care.worker)
        return len(captured)

    with time_machine.travel(day(40), tick=False):
        queries()  # the user's jurisdictions, read once
        few = queries()
        for serial in range(12):
            joined(make_person(GRID_A, f"独居{serial}"), "older_people",
                   {"living_situation": "alone"})
        visit(care, care.alone)
        assert len(visits_due(care.worker)) == 13
        assert queries() == few <= 2 + CareRule.objects.count()


def test_needs_help_opens_an_event_in_the_closed_loop(care):
    with time_machine.travel(day(8), tick=False):
        recorded = visit(care, care.alone, Outcome.NEEDS_HELP, note="暖气坏了，需要维修")
    event = recorded.event
    assert event is not None
    assert event.state == State.REPORTED
    assert event.category == Category.objects.get(code="elderly-alone")
    assert (event.grid_code, event.reporter, event.dwelling) == (
        GRID_A, care.worker, care.alone.dwelling)
    assert "王秀英" in event.description
    assert "暖气坏了" in event.description
    assert event.category.sensitive  # never on a public page
    # In the grid's to-do list (to accept), and the visit counts as a visit.
    with time_machine.travel(day(8, hour=12), tick=False):
        assert event in event_tasks(care.worker)["to_accept"]
    assert recorded.visitor == care.worker
    assert recorded.grid_code == GRID_A
    assert recorded.history.get().history_change_reason == "visited"
    with time_machine.travel(day(9), tick=False):
        assert due(care.worker) == set()
    # What help: a note is needed.
    with time_machine.travel(day(9), tick=False), pytest.raises(ValidationError) as refused:
        visit(care, care.alone, Outcome.NEEDS_HELP, note=" ")
    assert "note" in refused.value.message_dict
    assert CareVisit.objects.count() == 1


def test_a_visit_is_refused_outside_the_rule_the_jurisdiction_or_the_role(care):
    with pytest.raises(ValidationError) as refused:
        care_visit_record(person=care.with_family, rule=care.weekly, outcome=Outcome.WELL,
                          by=care.worker)
    assert "rule" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        care_visit_record(person=care.far, rule=care.weekly, outcome=Outcome.WELL,
                          by=care.worker)
    assert "person" in refused.value.message_dict
    for role in (Role.VOLUNTEER, Role.STREET_OFFICER, Role.DEPARTMENT_STAFF, Role.AUDITOR,
                 Role.RESIDENT):
        with pytest.raises(PermissionDenied):
            care_visit_record(person=care.alone, rule=care.weekly, outcome=Outcome.WELL,
                              by=make_user(role, GRID_A))
    with pytest.raises(TypeError):
        care_visit_record(person=care.alone, rule=care.weekly, outcome=Outcome.WELL, by=None)
    assert not CareVisit.objects.exists()


def test_the_share_visited_on_time_per_grid(care):
    with time_machine.travel(day(3), tick=False):
        visit(care, care.far, by=care.outsider)
    with time_machine.travel(day(8), tick=False):
        visit(care, care.alone)
    on = JOINED + datetime.timedelta(days=12)
    with time_machine.travel(day(12), tick=False):
        # Grid A: visited 4 days ago (on time), the disabled person joined 12 days ago of 30
        # (not yet due: on time). Grid C: visited 9 days ago on a weekly rule (late).
        assert visits_on_time(care.district, [scope_prefix(DISTRICT)], 15, on=on) == {
            GRID_A: OnTime(2, 2), GRID_C: OnTime(1, 0)}
        assert visits_on_time(care.district, [scope_prefix(DISTRICT)], 9, on=on) == {
            DISTRICT[:6] + "001": OnTime(2, 2), DISTRICT[:6] + "002": OnTime(1, 0)}
        assert visits_on_time(care.worker, [GRID_A, GRID_C], 15, on=on) == {
            GRID_A: OnTime(2, 2)}
        assert visits_on_time(care.volunteer, [GRID_A], 15, on=on) == {}
    # As of an earlier day, visits after it do not count.
    assert visits_on_time(care.district, [GRID_A], 15, on=on - datetime.timedelta(
        days=5)) == {GRID_A: OnTime(2, 1)}
    assert OnTime(2, 1).share == 0.5
    assert OnTime(0, 0).share is None


def test_rules_are_data_checked_by_the_service(care):
    older = Population.objects.get(key="older_people")
    category = Category.objects.get(code="elderly-alone")
    district = care.district

    def refused(**fields):
        with pytest.raises(ValidationError) as refusal:
            care_rule_save(rule=CareRule(population=older, category=category, **fields),
                           by=district, reason="新规则")
        return refusal.value.message_dict

    assert "field_key" in refused(field_key="pets", field_value="cat", interval_days=7)
    assert "field_value" in refused(field_key="living_situation", field_value="独居",
                                    interval_days=7)
    assert "field_value" in refused(field_key="living_situation", field_value="alone",
                                    interval_days=7)  # already has one
    assert "interval_days" in refused(field_key="living_situation",
                                      field_value="empty_nest", interval_days=0)
    with pytest.raises(PermissionDenied):
        care_rule_save(rule=CareRule(population=older, category=category, interval_days=30),
                       by=care.worker, reason="新规则")
    rule = care_rule_save(rule=CareRule(population=older, category=category,
                                        field_key="living_situation",
                                        field_value="empty_nest", interval_days=14),
                          by=district, reason="空巢老人两周一访")
    assert rule.history.get().history_change_reason == "空巢老人两周一访"
    rule.interval_days = 10
    care_rule_save(rule=rule, by=SYSTEM, reason="改为十天")
    assert rule.history.count() == 2
    # An empty-nest older person now falls under it.
    with time_machine.travel(day(11), tick=False):
        joined(care.with_family, "older_people", {"living_situation": "empty_nest"},
               since=JOINED)
        assert ("赵桂兰", JOINED + datetime.timedelta(days=10), True) in due(care.worker)
