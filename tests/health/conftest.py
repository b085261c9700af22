"""A small world for health check-ins: a household of three and a neighbour in building 1
of grid A, one living away, a resident of grid B and one of grid C (another street), and the
staff who follow them (see tests/factories.py)."""

import datetime
from dataclasses import dataclass

import pytest

from tests.factories import (
    COMMUNITY_1,
    DISTRICT,
    GRID_A,
    GRID_B,
    GRID_C,
    STREET_1,
    SYSTEM,
    make_building,
    make_divisions,
    make_person,
    make_user,
    resident_id,
)
from wangge.access.models import User
from wangge.events.default_categories import install_default_categories
from wangge.events.models import Category
from wangge.foundation.permissions import Role
from wangge.people.models import Person
from wangge.people.services import household_add_member, household_create
from wangge.places.models import Building, Dwelling
from wangge.places.services import dwelling_create


@dataclass
class Town:
    building: Building  # grid A
    flat: Dwelling  # 1-101: the household
    next_door: Dwelling  # 1-102
    head: Person  # 张伟, the household's head
    spouse: Person  # 李娜
    child: Person  # 张小明
    neighbour: Person  # 王芳, 1-102, no household
    away: Person  # registered in grid A, living away
    in_b: Person
    in_c: Person
    worker: User  # grid worker of grid A
    community: User
    street: User
    district: User
    department: User  # an institution's account (department staff of street 1)
    volunteer: User
    auditor: User
    outsider: User  # grid worker of grid C


def make_town() -> Town:
    make_divisions()
    install_default_categories(Category)
    building = make_building(GRID_A, name="1栋")
    flat = dwelling_create(building=building, unit=1, floor=1, room="101", by=SYSTEM)
    next_door = dwelling_create(building=building, unit=1, floor=1, room="102", by=SYSTEM)
    head = make_person(GRID_A, name="张伟", dwelling=flat,
                       id_number=resident_id(datetime.date(1980, 1, 1)))
    spouse = make_person(GRID_A, name="李娜", dwelling=flat, sex="F",
                         id_number=resident_id(datetime.date(1982, 2, 2), male=False))
    child = make_person(GRID_A, name="张小明", dwelling=flat,
                        id_number=resident_id(datetime.date(2010, 3, 3)))
    household = household_create(head=head, by=SYSTEM)
    household_add_member(household=household, person=spouse, relationship="spouse", by=SYSTEM)
    household_add_member(household=household, person=child, relationship="child", by=SYSTEM)
    return Town(
        building=building, flat=flat, next_door=next_door,
        head=Person.objects.get(pk=head.pk), spouse=Person.objects.get(pk=spouse.pk),
        child=Person.objects.get(pk=child.pk),
        neighbour=make_person(GRID_A, name="王芳", dwelling=next_door, sex="F",
                              id_number=resident_id(datetime.date(1975, 5, 5), male=False)),
        away=make_person(GRID_A, name="赵六", residence_type="away"),
        in_b=make_person(GRID_B, name="钱七"),
        in_c=make_person(GRID_C, name="孙八"),
        worker=make_user(Role.GRID_WORKER, GRID_A, username="worker-a"),
        community=make_user(Role.COMMUNITY_STAFF, COMMUNITY_1, username="community-1"),
        street=make_user(Role.STREET_OFFICER, STREET_1, username="street-1"),
        district=make_user(Role.DISTRICT_ADMIN, DISTRICT, username="district"),
        department=make_user(Role.DEPARTMENT_STAFF, STREET_1, username="school"),
        volunteer=make_user(Role.VOLUNTEER, STREET_1, username="volunteer"),
        auditor=make_user(Role.AUDITOR, DISTRICT, username="auditor"),
        outsider=make_user(Role.GRID_WORKER, GRID_C, username="worker-c"),
    )


@pytest.fixture
def town(db) -> Town:
    return make_town()


@pytest.fixture(autouse=True)
def pages_in_english(settings):
    """Pages answer in the language a request asks for, else the site's: these tests read
    the msgids, as the suite's own code does (tests/conftest.py, IN_ENGLISH)."""
    settings.LANGUAGE_CODE = "en"
