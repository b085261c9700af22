"""A small town for notices: residents in grids A and B (community 1, street 1) and C
(community 2, street 2), someone on low income in A and in C, a child in A, an organization
of grid A with a member in A and one in C, and the staff who publish."""

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
    make_person,
    make_user,
    resident_id,
)
from wangge.access.models import User
from wangge.foundation.permissions import Role
from wangge.organizations.models import Organization
from wangge.organizations.services import membership_add, organization_create
from wangge.people.models import Person
from wangge.populations.models import Population
from wangge.populations.services import circumstance_save


@dataclass
class Town:
    elder: Person  # grid A, born 1950, on low income
    child: Person  # grid A, born 2015, a member of the team
    neighbour: Person  # grid B, born 1980
    far: Person  # grid C, born 1950, on low income and a member of the team
    team: Organization  # of grid A
    worker_a: User  # grid worker of grid A
    worker_c: User  # grid worker of grid C
    staff: User  # community staff of community 1
    street: User  # street officer of street 1
    district: User  # district administrator

    def everyone(self) -> set[Person]:
        return {self.elder, self.child, self.neighbour, self.far}


def _person(grid: str, name: str, born: int) -> Person:
    return make_person(grid, name=name, id_number=resident_id(datetime.date(born, 3, 1)))


@pytest.fixture
def town(world) -> Town:
    elder, child = _person(GRID_A, "老张", 1950), _person(GRID_A, "小明", 2015)
    neighbour, far = _person(GRID_B, "李四", 1980), _person(GRID_C, "王五", 1950)
    low_income = Population.objects.get(key="low_income")
    for poor in (elder, far):
        circumstance_save(person=poor, population=low_income, by=SYSTEM, reason="登记",
                          values={"certificate": "D001"})
    team = organization_create(name="志愿队", kind="volunteer_team", grid_code=GRID_A, by=SYSTEM)
    for member in (child, far):
        membership_add(organization=team, person=member, by=SYSTEM)
    return Town(elder=elder, child=child, neighbour=neighbour, far=far, team=team,
                worker_a=make_user(Role.GRID_WORKER, GRID_A),
                worker_c=make_user(Role.GRID_WORKER, GRID_C),
                staff=make_user(Role.COMMUNITY_STAFF, COMMUNITY_1),
                street=make_user(Role.STREET_OFFICER, STREET_1),
                district=make_user(Role.DISTRICT_ADMIN, DISTRICT))


def reached(notice) -> set[Person]:
    return {recipient.person for recipient in notice.recipients.select_related("person")}


TEXT = {"title": "停水通知", "body": "明日9时至17时停水，请提前储水。"}
