"""Incremental equals full: random histories of cases, status changes, exposures, check-ins,
moves and days passing, each announced as the writers announce it; after every step the
stored grades (kept by the incremental refresh) must equal a full recompute exactly, level,
reasons and grid."""

import datetime
import random

import pytest
import time_machine

from tests.factories import SYSTEM
from tests.risk.conftest import (
    announce,
    make_world,
    new_person,
    record_case,
    record_check_in,
    record_exposure,
)
from wangge.epidemic.models import Case, Exposure
from wangge.people.services import person_transfer
from wangge.risk import engine, services
from wangge.risk.engine import evaluate
from wangge.risk.services import (
    RISK,
    grades_expire,
    rule_set_draft_create,
    rule_set_in_force,
    rule_set_put_in_force,
    rules_of,
    stored_grades,
)

# Every rule type at every level, with windows and thresholds that differ.
EVERY_RULE = [
    {"subject": "person", "if": "case", "statuses": ["confirmed", "asymptomatic"],
     "within_days": 10, "grade": "high"},
    {"subject": "person", "if": "case", "statuses": ["suspected"], "within_days": 5,
     "grade": "medium"},
    {"subject": "person", "if": "exposure", "degree": "close", "within_days": 7,
     "grade": "high"},
    {"subject": "person", "if": "exposure", "degree": "secondary", "within_days": 4,
     "grade": "medium"},
    {"subject": "person", "if": "check_in_alert", "within_days": 3, "at_least": 2,
     "grade": "medium"},
    {"subject": "building", "if": "cases", "statuses": ["confirmed"], "within_days": 12,
     "grade": "high"},
    {"subject": "building", "if": "residents", "graded": "high", "at_least": 2,
     "grade": "high"},
    {"subject": "building", "if": "residents", "graded": "medium", "grade": "medium"},
    {"subject": "grid", "if": "cases", "statuses": ["asymptomatic", "suspected"],
     "within_days": 6, "at_least": 2, "grade": "medium"},
    {"subject": "grid", "if": "residents", "graded": "high", "at_least": 3, "grade": "high"},
    {"subject": "grid", "if": "buildings", "graded": "medium", "grade": "medium"},
    {"subject": "community", "if": "cases", "statuses": ["confirmed"], "within_days": 9,
     "at_least": 3, "grade": "high"},
    {"subject": "community", "if": "residents", "graded": "medium", "at_least": 2,
     "grade": "medium"},
    {"subject": "community", "if": "buildings", "graded": "high", "at_least": 2,
     "grade": "high"},
    {"subject": "community", "if": "grids", "graded": "medium", "grade": "medium"},
]
START = datetime.datetime(2026, 5, 1, 9, tzinfo=datetime.UTC)


def assert_incremental_equals_full(step: str) -> set[str]:
    full = evaluate(rules_of(rule_set_in_force()), today=datetime.date.today())
    stored = stored_grades()
    for kind in full:
        assert stored[kind] == full[kind], f"{kind} differs after {step}"
    return {f"{kind}:{grade.level}" for kind in full for grade in full[kind].values()}


@pytest.mark.parametrize(("seed", "rules", "few"), [
    (1, None, True), (2, EVERY_RULE, True), (3, EVERY_RULE, True), (4, None, True),
    (5, EVERY_RULE, True),
    # As for a large batch: the cases of the window grouped, not those of the residents,
    # and the grades written through COPY.
    (6, EVERY_RULE, False), (7, None, False)])
def test_random_histories(db, django_capture_on_commit_callbacks, monkeypatch, seed, rules,
                          few):
    if not few:
        monkeypatch.setattr(engine, "FEW", dict.fromkeys(engine.FEW, 0))
        monkeypatch.setattr(services, "_COPY_FROM", 0)  # COPY on PostgreSQL
    rng = random.Random(seed)
    with time_machine.travel(START, tick=False) as clock:
        world = make_world()
        if rules:
            rule_set_put_in_force(rule_set=rule_set_draft_create(rules=rules, by=SYSTEM),
                                  by=SYSTEM)
        flats = [flat for group in world.flats.values() for flat in group]
        persons = [person for group in world.people.values() for person in group]
        seen: set[str] = set()
        for step in range(70):
            today = datetime.date.today()
            persons = [type(persons[0]).objects.get(pk=person.pk) for person in persons]
            person = rng.choice(persons)
            action = rng.choices(["case", "status", "exposure", "check_in", "move", "day",
                                  "person"], weights=[5, 2, 4, 3, 2, 3, 1])[0]
            if action == "case":
                record_case(person, status=rng.choice(["suspected", "confirmed",
                                                       "asymptomatic"]),
                            on=today - datetime.timedelta(days=rng.randrange(15)))
            elif action == "status" and Case.objects.exists():
                case = rng.choice(list(Case.objects.all()))
                case.status = rng.choice(["confirmed", "recovered", "excluded", "asymptomatic"])
                case.confirmed_on = case.confirmed_on or today
                case.save()
                announce(case.person)
            elif action == "exposure" and Case.objects.exists():
                case = rng.choice(list(Case.objects.all()))
                if not Exposure.objects.filter(case=case, person=person).exists():
                    closes = list(Exposure.objects.filter(case=case, degree="close"))
                    secondary = bool(closes) and rng.random() < 0.4
                    record_exposure(person, case, degree="secondary" if secondary else "close",
                                    via=rng.choice(closes) if secondary else None,
                                    on=today - datetime.timedelta(days=rng.randrange(9)))
            elif action == "check_in":
                record_check_in(person, day=today - datetime.timedelta(days=rng.randrange(3)),
                                alert=rng.random() < 0.8)
            elif action == "move":
                flat = rng.choice([flat for flat in flats if flat.pk != person.dwelling_id])
                with django_capture_on_commit_callbacks(execute=True):
                    person_transfer(person=person, dwelling=flat, moved_on=today,
                                    by=SYSTEM, reason="moved")
            elif action == "day":
                clock.shift(datetime.timedelta(days=rng.randrange(1, 5)))
                grades_expire(by=RISK)
            elif action == "person":
                persons.append(new_person(rng.choice(flats)))
            seen |= assert_incremental_equals_full(f"step {step}: {action}")
        # The history reached every kind of subject at both grades.
        assert {"person:2", "building:2", "grid:1", "community:1"} <= seen, seen
