"""A small world for emergencies: community 1's flood plan (in force, written by one
community staff member and approved by another) with a command team and a rescue team of
volunteers, each member with a deputy; street and district officers, and community 2's
staff, who are out of scope."""

from dataclasses import dataclass

import pytest

from tests.factories import (
    COMMUNITY_1,
    COMMUNITY_2,
    DISTRICT,
    GRID_A,
    GRID_B,
    STREET_1,
    make_divisions,
    make_person,
    make_user,
)
from wangge.access.models import User
from wangge.emergency.models import Plan, PlanVersion, Team
from wangge.emergency.services import (
    plan_create,
    plan_version_approve,
    plan_version_save,
    team_create,
    team_member_save,
)
from wangge.foundation.permissions import Role


@dataclass
class World:
    author: User  # community staff of community 1: writes the plan, declares
    approver: User  # community staff of community 1: approves
    worker: User  # grid worker of grid A: owns tasks
    street: User
    district: User
    outsider: User  # community staff of community 2
    leader: User  # command team
    rescuer: User  # rescue team, deputy: spare
    medic: User  # rescue team from level II only (medical team)
    spare: User
    plan: Plan
    command: Team
    rescue: Team
    medical: Team
    version: PlanVersion | None = None

    def levels(self) -> dict:
        return {
            "III": {"actions": [
                {"title": "转移低洼地带居民", "owner": self.worker.pk, "hours": 2},
                {"title": "开放避难场所", "owner": self.author.pk, "hours": 4}],
                "teams": [self.command.pk, self.rescue.pk],
                "resources": [
                    {"category": "shelter_places", "per_person": 1, "unit": "places"},
                    {"category": "water", "per_person": 3, "unit": "L", "per_day": True,
                     "days": 3}]},
            "II": {"actions": [
                {"title": "转移低洼地带居民", "owner": self.worker.pk, "hours": 1},
                {"title": "设立医疗点", "owner": self.author.pk, "hours": 2}],
                "teams": [self.command.pk, self.medical.pk],
                "resources": [{"category": "water", "per_person": 4, "unit": "L",
                               "per_day": True, "days": 5}]},
        }


def make_world() -> World:
    make_divisions()
    author = make_user(Role.COMMUNITY_STAFF, COMMUNITY_1, username="author")
    approver = make_user(Role.COMMUNITY_STAFF, COMMUNITY_1, username="approver")
    people = {name: make_user(Role.VOLUNTEER, COMMUNITY_1, username=name)
              for name in ("leader", "rescuer", "medic", "spare")}
    command = team_create(name="社区指挥组", kind="command", grid_code=COMMUNITY_1, by=author,
                          reason="组建")
    rescue = team_create(name="抢险队", kind="rescue", grid_code=COMMUNITY_1, by=author,
                         reason="组建")
    street = make_user(Role.STREET_OFFICER, STREET_1, username="street-1")
    # The street's medical team serves its communities' plans.
    medical = team_create(name="医疗队", kind="medical", grid_code=STREET_1, by=street,
                          reason="组建")
    team_member_save(team=command, user=people["leader"], by=author, reason="加入")
    team_member_save(team=rescue, user=people["rescuer"], deputy=people["spare"],
                     skills=["冲锋舟"], by=author, reason="加入")
    team_member_save(team=medical, user=people["medic"], deputy=people["spare"],
                     skills=["急救"], by=street, reason="加入")
    for grid, count in ((GRID_A, 3), (GRID_B, 2)):
        for number in range(count):
            make_person(grid, name=f"居民{number}")
    plan = plan_create(name="民意社区防汛预案", hazard="flood", grid_code=COMMUNITY_1,
                       by=author, reason="新建")
    world = World(author=author, approver=approver,
                  worker=make_user(Role.GRID_WORKER, GRID_A, username="worker-a"),
                  street=street,
                  district=make_user(Role.DISTRICT_ADMIN, DISTRICT, username="district"),
                  outsider=make_user(Role.COMMUNITY_STAFF, COMMUNITY_2, username="outsider"),
                  plan=plan, command=command, rescue=rescue,
                  medical=medical, **people)
    draft = plan_version_save(plan=plan, levels=world.levels(), by=author, reason="初稿")
    world.version = plan_version_approve(version=draft, by=approver, reason="审定")
    return world


@pytest.fixture
def world(db) -> World:
    return make_world()


@pytest.fixture(autouse=True)
def pages_in_english(settings):
    settings.LANGUAGE_CODE = "en"
