"""The demo district's public alerts: a scheduled preparedness message per community and one
warning in force, a yellow rainstorm warning for the demo grid worker's two grids, published
by the demo community staff (so it reaches their inboxes and its CAP document and the feed
have something to show). Through the alerts app's services.
"""

import datetime
import random

from django.db.models import Q
from django.utils import timezone

from wangge.access.models import User
from wangge.alerts.models import (
    Alert,
    Category,
    Certainty,
    PreparednessMessage,
    Repeat,
    Severity,
    Status,
    Topic,
    Urgency,
)
from wangge.alerts.services import alert_publish, preparedness_message_save
from wangge.divisions.models import Grid
from wangge.foundation.codes import prefix_range
from wangge.foundation.permissions import Role

from . import city
from .accounts import username_for

# (topic, headline, description, instruction, month and day of the first date, repetition)
PREPAREDNESS = [
    (Topic.NATURAL_HAZARDS, "防灾减灾日：熟悉身边的应急避难场所",
     "5月12日是全国防灾减灾日。请了解本社区应急避难场所的位置和疏散路线。",
     "家中常备应急包：饮用水、食品、手电筒、急救药品和重要证件复印件。", (5, 12),
     Repeat.YEARLY),
    (Topic.SAFETY, "消防安全提醒：电动自行车不进楼道",
     "电动自行车进楼入户、飞线充电是火灾的主要原因之一。",
     "请在集中充电点充电，不要在楼道、楼梯间停放电动自行车。", (11, 9), Repeat.YEARLY),
    (Topic.PUBLIC_HEALTH, "季节性传染病预防提示",
     "流感等呼吸道传染病高发季节，请注意个人防护。",
     "勤洗手、常通风；出现发热、咳嗽等症状请及时就医并告知社区。", (1, 15), Repeat.MONTHLY),
]
WARNING_HOURS = 24


def _alerts() -> Q:
    """The demo district's alerts: those with an affected grid in it."""
    return Q(pk__in=Alert.objects.filter(
        grids__in=Grid.objects.filter(prefix_range("code", city.AREA_CODE))).values("pk"))


def delete_alerts() -> None:
    """Delete the district's alerts and preparedness messages with their history (before
    the grids and accounts they refer to)."""
    alerts = Alert.objects.filter(_alerts())
    ids = list(alerts.values_list("pk", flat=True))
    # Updates and cancellations point at what they replace: unlink before deleting.
    alerts.update(replaces=None)
    alerts.delete()
    Alert.history.model.objects.filter(id__in=ids).delete()
    messages = prefix_range("community_code", city.AREA_CODE)
    PreparednessMessage.objects.filter(messages).delete()
    PreparednessMessage.history.model.objects.filter(messages).delete()


def histories() -> dict[type, Q]:
    """Where the history rows of the demo's alerts are, for the reset's ownership check."""
    return {Alert: Q(id__in=Alert.objects.filter(_alerts()).values("pk")),
            PreparednessMessage: prefix_range("community_code", city.AREA_CODE)}


def create_alerts(rng: random.Random, plan: city.CityPlan) -> int:
    """A preparedness message per community and the rainstorm warning; returns how many
    messages."""
    year = timezone.localdate().year
    for community in plan.communities:
        topic, headline, description, instruction, (month, day), repeat = rng.choice(
            PREPAREDNESS)
        preparedness_message_save(message=PreparednessMessage(
            community_code=community.code, topic=topic, headline=headline,
            description=description, instruction=instruction,
            starts_on=datetime.date(year, month, day), repeat=repeat), by=city.DEMO,
            reason=city.WHY)
    staff = User.objects.get(username=username_for(Role.COMMUNITY_STAFF))
    now = timezone.now()
    home = [grid.code for grid in plan.communities[0].grids[:2]]
    alert_publish(
        grids=Grid.objects.filter(code__in=home), status=Status.ACTUAL, category=Category.MET,
        event="暴雨", urgency=Urgency.EXPECTED, severity=Severity.MODERATE,
        certainty=Certainty.LIKELY, headline="暴雨黄色预警：未来6小时内降雨量将达50毫米以上",
        description="受强对流天气影响，预计未来6小时内本网格降雨量将达50毫米以上，"
                    "低洼地带和地下车库可能积水。",
        instruction="请勿在地下车库停放车辆，远离低洼地带和临时建筑；"
                    "独居老人等需要帮助的居民请联系网格员。",
        effective=now, expires=now + datetime.timedelta(hours=WARNING_HOURS),
        by=staff, reason="区气象台发布暴雨黄色预警信号")
    return len(plan.communities)
