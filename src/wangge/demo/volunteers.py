"""The demo district's volunteers: in the demo community staff's community, a dozen residents
reported in (some party members of the community's party committee, 双报到), a points rule,
two tasks to come with volunteers called for the first. Through the volunteers' services."""

import datetime
import random

from django.db.models import Q
from django.utils import timezone

from wangge.access.models import User
from wangge.foundation.actors import system_actor
from wangge.foundation.codes import prefix_range
from wangge.foundation.permissions import Role
from wangge.organizations.models import Organization, OrganizationKind
from wangge.people.models import Person
from wangge.volunteers.models import (
    LedgerEntry,
    Participation,
    PointRule,
    Registration,
    Skill,
    Task,
)
from wangge.volunteers.services import (
    point_rule_set,
    registration_register,
    task_call,
    task_post,
)

from . import city
from .accounts import username_for

DEMO = system_actor("wangge demo")
VOLUNTEERS = 12


def create_volunteers(rng: random.Random, plan: city.CityPlan) -> int:
    """Report-ins, a rule and two tasks in the demo staff's community; returns how many
    report-ins."""
    staff = User.objects.get(username=username_for(Role.COMMUNITY_STAFF))
    code = staff.jurisdictions.values_list("code", flat=True).first()
    if code is None or len(code) != 12:
        return 0
    party = Organization.objects.filter(prefix_range("grid_code", code[:9]),
                                        kind=OrganizationKind.PARTY).order_by("pk").first()
    persons = list(Person.objects.filter(prefix_range("grid_code", code), merged_into=None,
                                         birth_date__year__lte=2005).order_by("pk")[:200])
    chosen = rng.sample(persons, min(VOLUNTEERS, len(persons)))
    registrations = []
    for place, person in enumerate(chosen):
        member = party is not None and place % 3 == 0
        registrations.append(registration_register(
            by=DEMO, person=person, as_party_member=member,
            party_organization=party if member else None,
            skills=rng.sample(Skill.values, 2), days=sorted(rng.sample(range(7), 3)),
            times=rng.choice(["周末上午", "工作日晚上", "全天"])))
    point_rule_set(by=staff, code=code, points_per_hour=10, urgent_bonus=5,
                   kind_bonus={"elder_care": 5, "emergency": 10}, reason="社区志愿服务积分办法")
    morning = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    first = task_post(by=staff, code=code, title="敬老院陪伴探访", place="社区日间照料中心",
                      description="陪老人聊天、读报，协助午餐。", kind="elder_care",
                      skills=["elder_care"], needed=4, contact_phone="02782800000",
                      starts_at=morning + datetime.timedelta(days=3),
                      ends_at=morning + datetime.timedelta(days=3, hours=3))
    task_post(by=staff, code=code, title="小区环境清洁日", place="社区广场集合",
              kind="environment", needed=10, contact_phone="02782800000",
              starts_at=morning + datetime.timedelta(days=6),
              ends_at=morning + datetime.timedelta(days=6, hours=2))
    task_call(by=staff, task=first, registrations=registrations[:2])
    return len(registrations)


def _tasks() -> Q:
    return prefix_range("code", city.AREA_CODE)


def delete_volunteers() -> None:
    """Delete the district's volunteers, tasks, ledger and rules with their history (before
    the persons and accounts they refer to)."""
    tasks = list(Task.objects.filter(_tasks()).values_list("pk", flat=True))
    LedgerEntry.objects.filter(_tasks()).delete()
    for participations in (Participation.history.model.objects, Participation.objects):
        participations.filter(task_id__in=tasks).delete()
    for model in (Task, Registration, PointRule):
        model.objects.filter(_tasks()).delete()
        model.history.model.objects.filter(_tasks()).delete()


def histories() -> dict[type, Q]:
    """Where the history rows of the demo's volunteers are, for the reset's ownership check."""
    return {Task: _tasks(), Registration: _tasks(), PointRule: _tasks(),
            Participation: Q(task_id__in=Task.objects.filter(_tasks()).values("pk"))}
