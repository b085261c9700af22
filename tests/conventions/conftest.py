"""A small community for conventions: in grid A (community 1) the Wangs — two adults and a
child in one household and one dwelling — and Mrs Li, alone in her household; in grid B Mr
Zhao, an adult with no household record; in grid C (community 2) Mr Qian. Each adult has a
resident's account. Staff of community 1 and 2, a grid worker of A, a street officer."""

import datetime
from dataclasses import dataclass

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import (
    COMMUNITY_1,
    COMMUNITY_2,
    GRID_A,
    GRID_B,
    GRID_C,
    STREET_1,
    SYSTEM,
    make_dwelling,
    make_person,
    make_user,
    resident_id,
)
from wangge.access.models import User
from wangge.conventions.models import Convention, Kind
from wangge.conventions.services import convention_create, vote_open
from wangge.foundation.permissions import Role
from wangge.people.models import Household, Person
from wangge.people.services import household_add_member, household_create
from wangge.residents.services import resident_account_for


@dataclass
class Town:
    father: Person
    mother: Person
    child: Person
    wangs: Household
    li: Person
    zhao: Person
    qian: Person  # community 2
    accounts: dict[str, User]
    staff: User  # community staff of community 1
    other_staff: User  # community staff of community 2
    worker_a: User
    street: User


def _person(grid: str, name: str, born: int, **fields) -> Person:
    return make_person(grid, name=name, id_number=resident_id(datetime.date(born, 3, 1)),
                       **fields)


@pytest.fixture
def town(world) -> Town:
    home = make_dwelling(GRID_A, "301")
    father = _person(GRID_A, "王大", 1970, dwelling=home)
    mother = _person(GRID_A, "刘芳", 1972, dwelling=home)
    child = _person(GRID_A, "王小", 2015, dwelling=home)
    wangs = household_create(head=father, by=SYSTEM)
    for member, relationship in ((mother, "spouse"), (child, "child")):
        household_add_member(household=wangs, person=member, relationship=relationship,
                             by=SYSTEM)
    li = _person(GRID_A, "李梅", 1950)
    household_create(head=li, by=SYSTEM)
    zhao, qian = _person(GRID_B, "赵强", 1985), _person(GRID_C, "钱多", 1980)
    accounts = {name: resident_account_for(person=person) for name, person in (
        ("father", father), ("mother", mother), ("li", li), ("zhao", zhao), ("qian", qian))}
    return Town(father=Person.objects.get(pk=father.pk), mother=Person.objects.get(pk=mother.pk),
                child=child, wangs=wangs, li=li, zhao=zhao, qian=qian, accounts=accounts,
                staff=make_user(Role.COMMUNITY_STAFF, COMMUNITY_1),
                other_staff=make_user(Role.COMMUNITY_STAFF, COMMUNITY_2),
                worker_a=make_user(Role.GRID_WORKER, GRID_A),
                street=make_user(Role.STREET_OFFICER, STREET_1))


TEXT = "第一条 爱护公共环境。\n第二条 晚十点后不在楼道喧哗。"


def drafted(town: Town, **fields) -> Convention:
    fields = {"kind": Kind.CONVENTION, "title": "文明公约", "text": TEXT,
              "community_code": COMMUNITY_1, **fields}
    return convention_create(by=town.staff, **fields)


def voting(town: Town, rule: str = "household", quorum: int = 50, **fields) -> Convention:
    convention = drafted(town, **fields)
    vote_open(convention=convention, by=town.staff, rule=rule, quorum_percent=quorum,
              deadline=timezone.now() + datetime.timedelta(days=7))
    return Convention.objects.select_related("vote").get(pk=convention.pk)


def after_deadline() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=8)




@pytest.fixture
def client():
    """A browser asking for English: this suite reads the msgids."""
    return Client(headers={"Accept-Language": "en"})
