"""Residents' requests (诉求) for the demo: a few residents of the demo grid worker's first
grid signed in (their accounts made as at a first sign-in), each with a question, a need or
a complaint at a different stage — waiting, answered and rated satisfied, rated not
satisfied and so reopened for the community, closed and waiting for the rating. Written
through the residents' and events' services."""

import random

from wangge.access.models import User
from wangge.events.models import Event
from wangge.events.services import event_transition
from wangge.foundation.codes import prefix_range
from wangge.foundation.permissions import Role
from wangge.organizations.models import Organization, OrganizationKind
from wangge.people.models import Person
from wangge.residents.models import ResidentRequest
from wangge.residents.services import (
    OWN_PAGE,
    resident_account_for,
    resident_request_file,
    resident_request_rate,
)

from . import city
from .accounts import username_for

# (kind, text, how far it went, the rating given)
REQUESTS = [
    ("question", "请问社区老年食堂的开放时间和报名方式？", "waiting", ""),
    ("complaint", "楼下烧烤店油烟直排，晚上窗户都不敢开", "closed", "satisfied"),
    ("need", "家中老人行动不便，想申请上门理发服务", "closed", "unsatisfied"),
    ("complaint", "小区东门道闸经常失灵，车辆进出排长队", "closed", ""),
]
ANSWERS = {
    "complaint": "已联系市场监管部门上门检查，责令店铺加装油烟净化设备，本周内完成整改。",
    "need": "已登记需求，社区志愿者每月第二个周六提供上门理发，届时电话联系您。",
}


__all__ = ["OWN_PAGE", "create_requests", "delete_requests"]


def delete_requests() -> None:
    """The demo residents' accounts (their requests went with the events): before the
    persons they are bound to."""
    User.objects.filter(resident_account__person__in=Person.objects.filter(
        prefix_range("grid_code", city.AREA_CODE))).delete()


def create_requests(rng: random.Random, plan: city.CityPlan) -> int:
    """File and walk the demo requests; returns how many."""
    worker = User.objects.filter(username=username_for(Role.GRID_WORKER)).first()
    desk = User.objects.filter(username=username_for(Role.DEPARTMENT_STAFF)).first()
    department = (Organization.objects.filter(prefix_range("grid_code", city.AREA_CODE),
                                              kind=OrganizationKind.DEPARTMENT)
                  .order_by("pk").first())
    grid = plan.communities[0].grids[0]
    people = list(Person.objects.filter(grid_code=grid.code, merged_into=None)
                  .exclude(dwelling=None).order_by("pk")[:40])
    if worker is None or desk is None or department is None or len(people) < len(REQUESTS):
        return 0
    filed = []
    for person, (kind, text, stage, rating) in zip(rng.sample(people, len(REQUESTS)),
                                                   REQUESTS, strict=True):
        resident = resident_account_for(person=person)
        request = resident_request_file(by=resident, kind=kind, text=text)
        if stage == "closed":
            event = request.event
            for step in ("accept", "dispatch", "start", "feedback", "verify_close"):
                actor = desk if step in ("start", "feedback") else worker
                event = event_transition(
                    event=event, name=step, by=actor,
                    comment=ANSWERS.get(kind, "已协调物业更换道闸控制器，现已恢复正常。")
                    if step == "feedback" else "",
                    organization=department if step == "dispatch" else None)
            if rating:
                request = ResidentRequest.objects.select_related("event").get(pk=request.pk)
                resident_request_rate(request=request, by=resident, satisfaction=rating,
                                      comment="服务很及时" if rating == "satisfied"
                                      else "只登记了，没有说具体时间")
        filed.append(request)
    return Event.objects.filter(resident_request__in=filed).count()
