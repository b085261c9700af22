"""Events for the demo district: a few dozen reports at every stage of the loop, some overdue
and escalated, handled by the demo accounts (the department desk answers for every
department)."""

import datetime
import random

from django.db.models import F, Q
from django.utils import timezone

from wangge.access.models import User
from wangge.events.default_categories import install_default_categories
from wangge.events.models import Category, Event, Responder
from wangge.events.services import event_escalate_overdue, event_report, event_transition
from wangge.events.tally import tally_rebuild
from wangge.foundation.codes import prefix_range
from wangge.foundation.permissions import Role
from wangge.notifications.models import Notification
from wangge.organizations.models import Organization, OrganizationKind

from . import city
from .accounts import username_for

EVENTS = 36
# Each event is walked this far along the loop (most are finished, as in a real week).
STAGES = [
    (), ("accept",), ("accept", "dispatch"), ("accept", "dispatch", "start"),
    ("accept", "dispatch", "start", "feedback"),
    ("accept", "dispatch", "start", "feedback", "verify", "close"),
    ("accept", "dispatch", "start", "feedback", "verify", "close"),
    ("decline",),
]
DESCRIPTIONS = {
    "road-damage": "人行道地砖松动翘起，老人经过易绊倒",
    "street-light": "小区主干道路灯连续三晚不亮",
    "manhole-cover": "单元门口雨水井盖缺失，已临时用纸箱遮挡",
    "garbage": "垃圾站周边生活垃圾堆积，气味明显",
    "illegal-dumping": "绿化带内有人倾倒装修垃圾",
    "noise": "夜间 11 点后仍有施工噪声",
    "fire-passage": "消防通道被私家车长期占用",
    "e-bike-charging": "楼道内飞线给电动车充电",
    "falling-objects": "高层住户阳台花盆摆放在护栏外",
    "neighbours": "楼上楼下因漏水产生纠纷，需要调解",
    "property-management": "居民反映物业长期不处理电梯故障",
    "elderly-alone": "独居老人三天未出门，电话无人接听",
    "hardship": "租户失业后生活困难，申请临时救助",
    "fever": "居民自述发热咳嗽，需要协助就医",
    "disinfection": "农贸市场周边需要环境消杀",
}
COMMENTS = {
    "decline": "经核实为重复上报，已在原事件中处理",
    "feedback": "已安排人员到场处置完毕，附整改说明",
    "verify": "现场核实，处置结果属实",
}


def delete_events() -> None:
    """Delete the demo district's events (before its places, organizations and accounts,
    which they refer to)."""
    area = prefix_range("grid_code", city.AREA_CODE)
    events = Event.objects.filter(area)
    Notification.objects.filter(event__in=events).delete()
    # Merged reports point at their survivor: unlink before deleting.
    events.update(duplicate_of=None)
    events.delete()
    # After the events: deleting them writes a history row each, which goes too.
    Event.history.model.objects.filter(area).delete()
    Responder.objects.filter(organization__in=Organization.objects.filter(area)).delete()
    tally_rebuild(city.AREA_CODE)  # the cockpit's counts: none left


def create_events(rng: random.Random, plan: city.CityPlan) -> int:
    """Report and walk the demo events; returns how many."""
    worker = User.objects.filter(username=username_for(Role.GRID_WORKER)).first()
    desk = User.objects.filter(username=username_for(Role.DEPARTMENT_STAFF)).first()
    install_default_categories(Category)  # in case a test's flush removed the shipped tree
    departments = list(Organization.objects.filter(prefix_range("grid_code", city.AREA_CODE),
                                                   kind=OrganizationKind.DEPARTMENT))
    if desk is not None:
        Responder.objects.bulk_create([Responder(organization=o, user=desk)
                                       for o in departments], ignore_conflicts=True)
    leaves = list(Category.objects.filter(active=True, parent__isnull=False)
                  .filter(Q(code__in=DESCRIPTIONS) | Q(parent__code="help-needed")))
    home = plan.communities[0].grids[:2]  # the demo grid worker's grids
    others = [grid for grid in plan.grids if grid not in home]
    created = []
    for index in range(EVENTS):
        grid = rng.choice(home) if index % 3 else rng.choice(others)
        reporter = worker if grid in home else city.DEMO
        category = rng.choice(leaves)
        lon, lat = grid.rect.point_inside(rng)
        event = event_report(
            category=category, longitude=lon, latitude=lat, by=reporter,
            priority=rng.choice(["urgent", "high", "normal", "normal"]),
            description=DESCRIPTIONS.get(category.code, f"{category.name}，请尽快处理"))
        for step in rng.choice(STAGES):
            actor = desk if step in ("start", "feedback") else reporter
            event = event_transition(
                event=event, name=step, by=actor, comment=COMMENTS.get(step, ""),
                organization=rng.choice(departments) if step == "dispatch" else None)
        created.append(event)
    _age(rng, created)
    return len(created)


def _age(rng: random.Random, events: list[Event]) -> None:
    """Spread the reports over the past two weeks, so some open ones are overdue, then let
    escalation run as it would have."""
    now = timezone.now()
    for event in events:
        shift = datetime.timedelta(hours=rng.randint(0, 14 * 24))
        Event.objects.filter(pk=event.pk).update(
            reported_at=event.reported_at - shift, deadline=event.deadline - shift,
            escalate_after=None if event.escalate_after is None
            else event.escalate_after - shift)
        event.transitions.update(at=F("at") - shift)
    event_escalate_overdue(by=city.DEMO, now=now)
    # Moved to other days behind the services' back: the cockpit's tally is counted again.
    tally_rebuild(city.AREA_CODE)
