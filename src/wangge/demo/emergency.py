"""The demo district's emergency readiness: teams (a command and a volunteer team per
community, a rescue and a medical team per street) whose members are the demo accounts and
staff accounts made for them, with deputies and duty rosters; and per community a flood plan
and an epidemic plan with the four levels, written by a community's staff and approved by the
demo district administrator, through the emergency app's services.

A demo user may declare an emergency from these plans: the reset deletes emergencies, their
tasks, steps and calls with the rest.
"""

import random
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from wangge.access.models import User
from wangge.emergency.models import (
    Callout,
    Emergency,
    EmergencyStep,
    EmergencyTask,
    Hazard,
    Plan,
    PlanVersion,
    Team,
    TeamKind,
    TeamMember,
)
from wangge.emergency.services import (
    plan_create,
    plan_version_approve,
    plan_version_save,
    team_create,
    team_member_save,
)
from wangge.foundation.codes import prefix_range
from wangge.foundation.permissions import Role

from . import accounts, city

# Deleted in this order: what refers to a record goes before it.
MODELS = (Callout, EmergencyTask, Emergency, PlanVersion, Plan, TeamMember, Team)
STAFF_PER_TEAM = 2
WEEKDAYS, WEEKEND = [0, 1, 2, 3, 4], [5, 6]
SKILLS = {TeamKind.COMMAND: ["指挥协调", "信息报送"], TeamKind.VOLUNTEER: ["人员转移", "物资搬运"],
          TeamKind.RESCUE: ["水上救援", "破拆"], TeamKind.MEDICAL: ["现场急救", "流行病学调查"]}
TEAM_NAMES = {TeamKind.COMMAND: "应急指挥组", TeamKind.VOLUNTEER: "应急志愿服务队",
              TeamKind.RESCUE: "应急救援队", TeamKind.MEDICAL: "医疗救护队"}
# Who makes up each team: staff of that role, answering for the team's area.
TEAM_ROLES = {TeamKind.COMMAND: Role.COMMUNITY_STAFF, TeamKind.VOLUNTEER: Role.VOLUNTEER,
              TeamKind.RESCUE: Role.VOLUNTEER, TeamKind.MEDICAL: Role.VOLUNTEER}
# The demo accounts that join the first community's and street's teams.
DEMO_MEMBERS = {TeamKind.COMMAND: [Role.COMMUNITY_STAFF, Role.GRID_WORKER],
                TeamKind.VOLUNTEER: [Role.VOLUNTEER], TeamKind.RESCUE: [Role.STREET_OFFICER],
                TeamKind.MEDICAL: []}
LEVELS = ("IV", "III", "II", "I")


@dataclass(frozen=True)
class Action:
    """A checklist row: added at ``level`` and kept at the graver ones."""

    level: str
    title: str
    owner: TeamKind  # the first staff member of this team owns it
    hours: int


@dataclass(frozen=True)
class Rule:
    level: str
    category: str
    per_person: float
    unit: str
    days: int = 0  # 0: once, not per day


@dataclass(frozen=True)
class Hazardous:
    hazard: Hazard
    name: str
    teams: dict[str, list[TeamKind]]  # by level
    actions: list[Action]
    rules: list[Rule]


EVERY_TEAM = [TeamKind.COMMAND, TeamKind.VOLUNTEER, TeamKind.RESCUE, TeamKind.MEDICAL]
PLANS = [
    Hazardous(
        Hazard.FLOOD, "防汛应急预案",
        {"IV": [TeamKind.COMMAND], "III": [TeamKind.COMMAND, TeamKind.VOLUNTEER],
         "II": [TeamKind.COMMAND, TeamKind.VOLUNTEER, TeamKind.RESCUE], "I": EVERY_TEAM},
        [Action("IV", "加强汛情监测，巡查低洼地带和地下车库", TeamKind.COMMAND, 2),
         Action("IV", "通知网格员和楼栋长做好防汛准备", TeamKind.COMMAND, 4),
         Action("III", "开放应急避难场所，清点物资", TeamKind.VOLUNTEER, 3),
         Action("III", "转移低洼地带和危房居民，优先独居老人", TeamKind.COMMAND, 6),
         Action("II", "组织冲锋舟救援被困人员", TeamKind.RESCUE, 1),
         Action("I", "请求区防汛指挥部增援", TeamKind.COMMAND, 1),
         Action("I", "设立临时医疗点", TeamKind.MEDICAL, 4)],
        [Rule("IV", "rescue", 0.05, "条"), Rule("III", "shelter_places", 0.1, "人"),
         Rule("III", "water", 3, "升", days=3), Rule("II", "food", 1, "份", days=3),
         Rule("I", "shelter_places", 0.3, "人"), Rule("I", "medical", 0.05, "个")]),
    Hazardous(
        Hazard.EPIDEMIC, "传染病疫情应急预案",
        {"IV": [TeamKind.COMMAND], "III": [TeamKind.COMMAND, TeamKind.MEDICAL],
         "II": [TeamKind.COMMAND, TeamKind.MEDICAL, TeamKind.VOLUNTEER], "I": EVERY_TEAM},
        [Action("IV", "加强发热病人排查和健康监测", TeamKind.COMMAND, 24),
         Action("III", "配合流行病学调查，登记密接人员", TeamKind.MEDICAL, 12),
         Action("III", "公共区域每日消杀", TeamKind.VOLUNTEER, 24),
         Action("II", "设置小区卡口，做好出入登记", TeamKind.COMMAND, 12),
         Action("II", "为居家隔离人员配送生活物资，优先特殊群体", TeamKind.VOLUNTEER, 24),
         Action("I", "组织全员核酸检测", TeamKind.MEDICAL, 48)],
        [Rule("IV", "protection", 1, "只", days=7), Rule("III", "sanitation", 0.02, "升", days=7),
         Rule("II", "food", 1, "份", days=7), Rule("I", "medical", 0.1, "个")]),
]


def delete_readiness() -> None:
    """Delete the district's teams, plans and any emergencies declared from them, with
    their history (before the accounts they name)."""
    area = prefix_range("grid_code", city.AREA_CODE)
    Callout.objects.filter(area).update(deputy_for=None)
    EmergencyStep.objects.filter(emergency__in=Emergency.objects.filter(area)).delete()
    for model in MODELS:
        model.objects.filter(area).delete()
        # After the records: deleting them writes a history row each, which goes too.
        model.history.model.objects.filter(area).delete()


def histories() -> dict[type, Q]:
    """Where the history rows of the demo's readiness are, for the reset's ownership check."""
    return dict.fromkeys(MODELS, prefix_range("grid_code", city.AREA_CODE))


def foreign_steps(demo_users: Any) -> int:
    """Steps of the district's emergencies taken by accounts other than the demo's."""
    return EmergencyStep.objects.filter(
        emergency__in=Emergency.objects.filter(prefix_range("grid_code", city.AREA_CODE)),
        actor__isnull=False).exclude(actor__in=demo_users).count()


def _team(rng: random.Random, kind: TeamKind, code: str, name: str,
          demo: list[User]) -> tuple[Team, list[User]]:
    """A team with its staff and ``demo`` accounts; each member's deputy is the next
    member, and the roster alternates every day, weekdays and weekends."""
    team = team_create(name=f"{name}{TEAM_NAMES[kind]}", kind=kind, grid_code=code,
                       by=city.DEMO, reason=city.WHY)
    staff = accounts.create_staff(rng, code=code, team=kind, role=TEAM_ROLES[kind],
                                  count=STAFF_PER_TEAM)
    members = staff + demo
    for index, user in enumerate(members):
        team_member_save(team=team, user=user, skills=rng.sample(SKILLS[kind], rng.randint(1, 2)),
                         duty_days=[[], WEEKDAYS, WEEKEND][index % 3],
                         deputy=members[(index + 1) % len(members)], by=city.DEMO,
                         reason=city.WHY)
    return team, staff


def _levels(hazardous: Hazardous, teams: dict[TeamKind, tuple[Team, list[User]]]
            ) -> dict[str, dict[str, Any]]:
    levels = {}
    for depth, level in enumerate(LEVELS):
        graver = LEVELS[:depth + 1]
        levels[level] = {
            "actions": [{"title": action.title, "owner": teams[action.owner][1][0].pk,
                         "hours": action.hours}
                        for action in hazardous.actions if action.level in graver],
            "teams": [teams[kind][0].pk for kind in hazardous.teams[level]],
            "resources": [{"category": rule.category, "per_person": rule.per_person,
                           "unit": rule.unit, "per_day": bool(rule.days),
                           "days": rule.days or 1}
                          for rule in hazardous.rules if rule.level in graver]}
    return levels


def create_readiness(rng: random.Random, plan: city.CityPlan) -> int:
    """Teams and approved plans for every community; returns how many plans."""
    demo = {user.role: user for user in User.objects.filter(
        username__in=[accounts.username_for(role) for role in Role.values])}
    approver = demo[Role.DISTRICT_ADMIN]
    first_community, first_street = plan.communities[0], plan.communities[0].street_code

    def joining(kind: TeamKind, first: bool) -> list[User]:
        return [demo[role] for role in DEMO_MEMBERS[kind]] if first else []

    street_teams = {}
    for street_code, street_name, _rect in plan.streets:
        street_teams[street_code] = {
            kind: _team(rng, kind, street_code, street_name,
                        joining(kind, street_code == first_street))
            for kind in (TeamKind.RESCUE, TeamKind.MEDICAL)}
    plans = 0
    for community in plan.communities:
        teams = {kind: _team(rng, kind, community.code, community.name,
                             joining(kind, community is first_community))
                 for kind in (TeamKind.COMMAND, TeamKind.VOLUNTEER)}
        teams |= street_teams[community.street_code]
        author = teams[TeamKind.COMMAND][1][0]
        for hazardous in PLANS:
            created = plan_create(name=f"{community.name}{hazardous.name}",
                                  hazard=hazardous.hazard, grid_code=community.code,
                                  by=city.DEMO, reason=city.WHY)
            draft = plan_version_save(plan=created, levels=_levels(hazardous, teams),
                                      by=author, reason="编制预案")
            plan_version_approve(version=draft, by=approver, reason="经街道审核，同意发布")
            plans += 1
    return plans
