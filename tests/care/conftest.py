"""A small world for care: in grid A an older person living alone, one living with family
(under no rule), a person with a disability; in grid C (another street) an older person
living alone; the shipped rules; grid workers of A and C, community staff of community 1
(grids A and B), and roles that may not visit (see tests/factories.py)."""

import datetime
from dataclasses import dataclass

import pytest

from tests.factories import (
    COMMUNITY_1,
    DISTRICT,
    GRID_A,
    GRID_C,
    STREET_1,
    SYSTEM,
    make_person,
    make_user,
    shipped_rows,
)
from wangge.access.models import User
from wangge.care.models import CareRule
from wangge.events.services import responder_add
from wangge.foundation.permissions import Role
from wangge.organizations.services import organization_create
from wangge.people.models import Person
from wangge.populations.models import Population
from wangge.populations.services import circumstance_save

# The day the circumstances were recorded; tests travel from here.
JOINED = datetime.date(2026, 3, 2)


def joined(person: Person, key: str, values: dict, since: datetime.date = JOINED) -> Person:
    circumstance_save(person=person, population=Population.objects.get(key=key),
                      values=values, since=since, by=SYSTEM, reason="走访登记")
    return person


@dataclass
class Care:
    worker: User  # grid worker of grid A
    outsider: User  # grid worker of grid C
    community: User  # community staff of community 1
    street: User
    district: User
    volunteer: User
    department: User
    alone: Person  # grid A, older, living alone (weekly)
    with_family: Person  # grid A, older, with family (no rule)
    disabled: Person  # grid A (monthly)
    far: Person  # grid C, older, living alone
    weekly: CareRule
    monthly: CareRule


def make_care() -> Care:
    shipped_rows("care.migrations.0002_shipped_rules")
    return Care(
        worker=make_user(Role.GRID_WORKER, GRID_A, username="worker-a"),
        outsider=make_user(Role.GRID_WORKER, GRID_C, username="worker-c"),
        community=make_user(Role.COMMUNITY_STAFF, COMMUNITY_1, username="community-1"),
        street=make_user(Role.STREET_OFFICER, STREET_1, username="street-1"),
        district=make_user(Role.DISTRICT_ADMIN, DISTRICT, username="district"),
        volunteer=make_user(Role.VOLUNTEER, GRID_A, username="volunteer"),
        department=make_user(Role.DEPARTMENT_STAFF, GRID_A, username="department"),
        alone=joined(make_person(GRID_A, "王秀英"), "older_people",
                     {"living_situation": "alone"}),
        with_family=joined(make_person(GRID_A, "赵桂兰"), "older_people",
                           {"living_situation": "with_family"}),
        disabled=joined(make_person(GRID_A, "刘强"), "disability",
                        {"category": "4", "grade": "2"}),
        far=joined(make_person(GRID_C, "陈淑珍"), "older_people",
                   {"living_situation": "alone"}),
        weekly=CareRule.objects.get(population__key="older_people"),
        monthly=CareRule.objects.get(population__key="disability"),
    )


@pytest.fixture
def care(world) -> Care:
    return make_care()


@pytest.fixture
def centre(world):
    """The care world, and a community health centre serving grid A with one doctor (a
    department staff account answering for it)."""
    care = make_care()
    centre = organization_create(name="民意社区卫生服务中心", kind="health_centre",
                                 grid_code=COMMUNITY_1, served_grid_codes=[GRID_A], by=SYSTEM)
    doctor = make_user(Role.DEPARTMENT_STAFF, COMMUNITY_1, username="doctor")
    responder_add(organization=centre, user=doctor, by=SYSTEM)
    return care, centre, doctor
