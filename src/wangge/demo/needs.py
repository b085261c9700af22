"""The demo district's needs and offers: needs the demo grid worker posted in their grids, the
offers community staff recorded from a grain shop, volunteers and a retired teacher, one match
delivered (a donation) and one waiting on the grid worker's to-do list, and a gift recorded
directly. Through the needs app's services, as the demo's accounts."""

import datetime
import random

from django.utils import timezone

from wangge.access.models import User
from wangge.foundation.codes import prefix_range
from wangge.foundation.permissions import Role
from wangge.needs.models import Donation, Match, Need, Offer
from wangge.needs.services import (
    donation_record,
    match_confirm,
    match_deliver,
    need_post,
    offer_record,
)

from . import city
from .accounts import username_for

# (kind, category, item, quantity, unit, public description, urgency)
NEEDS = [
    ("goods", "food", "大米", 10, "袋", "辖区困难家庭本月口粮", "high"),
    ("service", "elderly_care", "上门理发", 3, "次", "行动不便的老人在家理发", "normal"),
    ("time", "companionship", "陪伴聊天", 8, "小时", "独居老人周末陪伴", "normal"),
    ("service", "repairs", "更换水龙头", 1, "次", "老旧住户厨房水龙头漏水", "urgent"),
    ("time", "tutoring", "作业辅导", 6, "小时", "留守儿童放学后作业辅导", "normal"),
]
# (donor, named publicly, kind, category, item, quantity, unit, days available)
OFFERS = [
    ("惠民粮油店", True, "goods", "food", "大米", 50, "袋", 60),
    ("社区志愿理发队", True, "service", "elderly_care", "上门理发", 12, "次", 90),
    ("退休教师刘老师", False, "time", "tutoring", "作业辅导", 20, "小时", 120),
]


def delete_needs() -> None:
    """Delete the district's needs, offers, matches and donations with their history (before
    the accounts and organizations they refer to)."""
    for model, field in ((Donation, "code"), (Match, "grid_code"), (Need, "grid_code"),
                         (Offer, "area_code")):
        where = prefix_range(field, city.AREA_CODE)
        model.objects.filter(where).delete()
        model.history.model.objects.filter(where).delete()


def create_needs(rng: random.Random, plan: city.CityPlan) -> int:
    """The board of the demo's first community; returns how many needs."""
    worker = User.objects.filter(username=username_for(Role.GRID_WORKER)).first()
    staff = User.objects.filter(username=username_for(Role.COMMUNITY_STAFF)).first()
    if worker is None or staff is None:
        return 0
    community = plan.communities[0]
    grids = [grid.code for grid in community.grids[:2]]
    today = timezone.localdate()
    needs = [need_post(by=worker, grid_code=rng.choice(grids), kind=kind, category=category,
                       item=item, quantity=quantity, unit=unit, description=description,
                       urgency=urgency,
                       needed_by=today + datetime.timedelta(days=rng.randint(3, 20)))
             for kind, category, item, quantity, unit, description, urgency in NEEDS]
    offers = [offer_record(by=staff, area_code=community.code, donor_name=donor,
                           named_publicly=named, kind=kind, category=category, item=item,
                           quantity=quantity, unit=unit,
                           available_until=today + datetime.timedelta(days=days))
              for donor, named, kind, category, item, quantity, unit, days in OFFERS]
    rice = match_confirm(by=staff, need=needs[0], offer=offers[0], quantity=10, assignee=worker)
    match_deliver(by=worker, match=rice, quantity=10)
    match_confirm(by=staff, need=needs[1], offer=offers[1], quantity=3, assignee=worker)
    donation_record(by=staff, code=community.code, category="medical_supplies", item="口罩",
                    quantity=500, unit="个", donated_on=today - datetime.timedelta(days=5),
                    donor_name="爱心药房", named_publicly=True)
    return len(needs)
