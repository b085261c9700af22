"""A small graded city for the risk map, written straight into Grade and GradeChange (as the
rule engine would leave them): ``graded`` keeps a subject's history and its grade now
consistent, so the trend can be reconstructed from them.

Grid A and B are in community 1 (street 1), grid C in community 2 (street 2) (tests/factories)."""

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone, translation

from tests.factories import (
    COMMUNITY_1,
    DISTRICT,
    GRID_A,
    GRID_B,
    GRID_C,
    STREET_1,
    make_building,
    make_divisions,
    make_person,
    make_user,
)
from wangge.foundation.permissions import Role
from wangge.risk.display import reason_text
from wangge.risk.models import Grade, GradeChange, Level, RuleSet, RuleSetStatus, SubjectKind

CASE_REASON = {"if": "cases", "params": {"statuses": ["confirmed"], "within_days": 14},
               "facts": {"count": 1}}


def case_words(language: str = "en") -> str:
    """How CASE_REASON reads in ``language``."""
    with translation.override(language):
        return reason_text(CASE_REASON)


def rule_set() -> RuleSet:
    found, _created = RuleSet.objects.get_or_create(
        version=1, defaults={"status": RuleSetStatus.IN_FORCE, "rules": []})
    return found


def noon(days_ago: int, today: datetime.date | None = None) -> datetime.datetime:
    day = (today or timezone.localdate()) - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def graded(kind: str, key: Any, grid_code: str, *steps: tuple[int, int, list]) -> Grade | None:
    """A subject's history: ``(days ago, level, reasons)`` oldest first, each a change at noon
    of that day; the last is its grade now (no row when low)."""
    before = Level.LOW
    for days_ago, level, reasons in steps:
        GradeChange.objects.create(kind=kind, key=str(key), grid_code=grid_code, before=before,
                                   after=level, reasons=reasons, rule_set=rule_set(),
                                   at=noon(days_ago))
        before = level
    Grade.objects.filter(kind=kind, key=str(key)).delete()
    if before == Level.LOW:
        return None
    days_ago, level, reasons = steps[-1]
    return Grade.objects.create(kind=kind, key=str(key), grid_code=grid_code, level=level,
                                reasons=reasons, since=noon(days_ago))


def regraded(kind: str, key: Any, grid_code: str, level: int, reasons: list,
             days_ago: int = 0) -> Grade | None:
    """A subject's grade changes from what it is now to ``level``."""
    now = Grade.objects.filter(kind=kind, key=str(key)).first()
    GradeChange.objects.create(kind=kind, key=str(key), grid_code=grid_code,
                               before=now.level if now else Level.LOW, after=level,
                               reasons=reasons, rule_set=rule_set(), at=noon(days_ago))
    Grade.objects.filter(kind=kind, key=str(key)).delete()
    if level == Level.LOW:
        return None
    return Grade.objects.create(kind=kind, key=str(key), grid_code=grid_code, level=level,
                                reasons=reasons, since=noon(days_ago))


@dataclass
class City:
    worker: Any  # grid A
    outsider: Any  # grid worker of grid C
    community: Any  # community 1
    street: Any  # street 1 (sees health status masked)
    district: Any
    volunteer: Any
    high: Any  # a building of grid A, high today
    medium: Any  # a building of grid B, medium since five days ago
    calm: Any  # a building of grid A, never graded
    far: Any  # a building of grid C, high (out of street 1)
    person: Any  # a resident of grid A, medium since yesterday


def make_city() -> City:
    make_divisions()
    high = make_building(GRID_A, name="3栋")
    calm = make_building(GRID_A, name="4栋")
    medium = make_building(GRID_B, name="7栋")
    far = make_building(GRID_C, name="9栋")
    person = make_person(GRID_A, name="赵病例")
    b, p, g, c = (SubjectKind.BUILDING, SubjectKind.PERSON, SubjectKind.GRID,
                  SubjectKind.COMMUNITY)
    graded(b, high.pk, GRID_A, (3, Level.MEDIUM, ["接触者居住于此楼"]), (0, Level.HIGH,
                                                                     [CASE_REASON]))
    graded(b, medium.pk, GRID_B, (5, Level.MEDIUM, ["接触者居住于此楼"]))
    graded(b, far.pk, GRID_C, (20, Level.HIGH, [CASE_REASON]))
    graded(p, person.pk, GRID_A, (1, Level.MEDIUM, ["密切接触者"]))
    graded(g, GRID_A, GRID_A, (3, Level.MEDIUM, ["网格内有中风险楼栋"]),
           (0, Level.HIGH, ["网格内有高风险楼栋"]))
    graded(c, COMMUNITY_1, COMMUNITY_1, (0, Level.MEDIUM, ["社区内有高风险网格"]))
    return City(
        worker=make_user(Role.GRID_WORKER, GRID_A, username="worker-a"),
        outsider=make_user(Role.GRID_WORKER, GRID_C, username="worker-c"),
        community=make_user(Role.COMMUNITY_STAFF, COMMUNITY_1, username="community-1"),
        street=make_user(Role.STREET_OFFICER, STREET_1, username="street-1"),
        district=make_user(Role.DISTRICT_ADMIN, DISTRICT, username="district"),
        volunteer=make_user(Role.VOLUNTEER, STREET_1, username="volunteer"),
        high=high, medium=medium, calm=calm, far=far, person=person)


@pytest.fixture
def city(db) -> City:
    return make_city()
