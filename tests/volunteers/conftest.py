"""A small town for volunteers: residents with accounts in grid A and grid B (community 1)
and grid C (community 2); a party organization registered at street 2; community staff of
each community, the street officers, and the clock stopped on a Monday morning."""

import datetime
from dataclasses import dataclass

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from tests.factories import (
    COMMUNITY_1,
    COMMUNITY_2,
    GRID_A,
    GRID_B,
    GRID_C,
    STREET_1,
    STREET_2,
    SYSTEM,
    make_person,
    make_user,
)
from wangge.access.models import User
from wangge.foundation.permissions import Role
from wangge.organizations.models import Organization
from wangge.organizations.services import organization_create
from wangge.people.models import Person
from wangge.residents.services import resident_account_for
from wangge.volunteers.models import Registration
from wangge.volunteers.services import registration_decide, registration_report_in, task_post

NOW = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC)


@dataclass
class Town:
    ann: Person  # grid A
    bob: Person  # grid B, a party member of ``party``
    cai: Person  # grid C (community 2)
    ann_user: User
    bob_user: User
    cai_user: User
    party: Organization  # a party organization of street 2
    staff_1: User  # community staff of community 1
    staff_2: User  # community staff of community 2
    street_1: User
    street_2: User  # the party organization's side
    worker_a: User  # grid worker of grid A


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def town(world, clock) -> Town:
    ann = make_person(GRID_A, name="张小三")
    bob = make_person(GRID_B, name="李四")
    cai = make_person(GRID_C, name="王五六")
    party = organization_create(name="一元街道机关党支部", kind="party", grid_code=STREET_2,
                                by=SYSTEM)
    return Town(ann=ann, bob=bob, cai=cai, ann_user=resident_account_for(person=ann),
                bob_user=resident_account_for(person=bob),
                cai_user=resident_account_for(person=cai), party=party,
                staff_1=make_user(Role.COMMUNITY_STAFF, COMMUNITY_1),
                staff_2=make_user(Role.COMMUNITY_STAFF, COMMUNITY_2),
                street_1=make_user(Role.STREET_OFFICER, STREET_1),
                street_2=make_user(Role.STREET_OFFICER, STREET_2),
                worker_a=make_user(Role.GRID_WORKER, GRID_A))


def confirmed(user: User, staff: User, **details) -> Registration:
    registration = registration_report_in(by=user, **details)
    return registration_decide(by=staff, registration=registration, confirm=True)


def at(hours: float) -> datetime.datetime:
    return NOW + datetime.timedelta(hours=hours)


def a_task(staff: User, code: str = COMMUNITY_1, *, starts: float = 24, hours: float = 3,
           needed: int = 2, **fields):
    fields.setdefault("title", "小区清扫")
    fields.setdefault("place", "民意社区广场")
    return task_post(by=staff, code=code, starts_at=at(starts), ends_at=at(starts + hours),
                     needed=needed, **fields)


def now() -> datetime.datetime:
    return timezone.now()


@pytest.fixture
def client():
    """A browser asking for English: this suite reads the msgids."""
    return Client(headers={"Accept-Language": "en"})
