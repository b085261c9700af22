"""The demo district's community conventions: in the first community a residents' convention
on keeping dogs open for discussion (two versions, so its diff has something to show, and a
word from the staff), and a proposal to add a lift put to the vote of the households of the
first grid (its electorate fixed, nobody has voted yet). Through the conventions' services,
as the demo's system actor."""

import datetime

from django.db.models import Q
from django.utils import timezone

from wangge.conventions.models import Breach, Comment, Convention, Kind, Review, Rule, Vote
from wangge.conventions.services import (
    convention_create,
    discussion_open,
    version_add,
    vote_open,
)
from wangge.foundation.codes import prefix_range

from . import city

DOGS = ("第一条 文明养犬，依法办理养犬登记，按时为犬只接种狂犬病疫苗。\n"
        "第二条 携犬出户时为犬只佩戴犬牌并束犬链，主动避让老人和儿童。\n"
        "第三条 及时清理犬只在公共区域的粪便。")
DOGS_AMENDED = DOGS.replace("束犬链，", "束犬链（长度不超过1.5米），") + (
    "\n第四条 大型犬不乘坐电梯高峰时段的轿厢。")
LIFT = ("为方便老年人出行，拟在本网格多层住宅楼加装电梯，费用由受益住户按楼层分摊，"
        "申请政府补贴。请各户投票表决。")


def _conventions() -> Q:
    return prefix_range("code", city.AREA_CODE)


def delete_conventions() -> None:
    """Delete the district's conventions with everything they hold (versions, comments, the
    vote and its electorate, breaches, reviews) and their history, before the persons and
    accounts they refer to."""
    conventions = Convention.objects.filter(_conventions())
    ids = list(conventions.values_list("pk", flat=True))
    Convention.objects.filter(pk__in=ids).update(current_version=None)
    conventions.filter(supersedes__isnull=False).update(supersedes=None)
    conventions.delete()
    for model in (Comment, Vote, Breach, Review):
        model.history.model.objects.filter(convention_id__in=ids).delete()
    Convention.history.model.objects.filter(_conventions()).delete()


def histories() -> dict[type, Q]:
    """Where the history rows of the demo's conventions are, for the reset's ownership
    check."""
    return {Convention: _conventions()}


def create_conventions(plan: city.CityPlan) -> int:
    """The convention under discussion and the proposal under vote; returns how many
    households may vote on it."""
    community = plan.communities[0]
    dogs = convention_create(by=city.DEMO, kind=Kind.CONVENTION, title="文明养犬公约",
                             text=DOGS, community_code=community.code)
    version_add(convention=dogs, by=city.DEMO, text=DOGS_AMENDED,
                why="居民议事会建议：明确犬链长度，增加电梯条款")
    discussion_open(convention=dogs, by=city.DEMO)
    lift = convention_create(by=city.DEMO, kind=Kind.PROPOSAL, title="多层住宅加装电梯",
                             text=LIFT, community_code=community.code,
                             grid_codes=[community.grids[0].code])
    vote = vote_open(convention=lift, by=city.DEMO, rule=Rule.HOUSEHOLD, quorum_percent=50,
                     deadline=timezone.now() + datetime.timedelta(days=14))
    return vote.electorate
