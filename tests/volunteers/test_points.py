"""Hours into points: confirmed by the organizer after the task, bounded, computed by the
community's rule (hand-computed here), written to the append-only ledger; corrections are
new lines; the ranking of one community over a period, names masked for residents."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import COMMUNITY_1, COMMUNITY_2
from wangge.foundation.permissions import mask_name
from wangge.volunteers.models import LedgerEntry, PointRule
from wangge.volunteers.selectors import balance, ranking
from wangge.volunteers.services import (
    hours_confirm,
    point_rule_set,
    points_correct,
    rule_of,
    task_sign_up,
)

from .conftest import NOW, a_task, at, confirmed


def _took_part(town, clock, *, urgent=False, kind="general", hours=3):
    task = a_task(town.staff_1, hours=hours, urgent=urgent, kind=kind)
    registration = confirmed(town.ann_user, town.staff_1)
    participation = task_sign_up(by=town.ann_user, task=task)
    clock.move_to(at(24 + hours))
    return task, registration, participation


def test_the_default_rule_is_ten_points_an_hour(town, clock):
    assert rule_of(COMMUNITY_1).pk is None
    _task, _registration, participation = _took_part(town, clock)
    hours_confirm(by=town.staff_1, participation=participation, hours="2.5")
    assert balance(town.ann) == Decimal("25.0")  # 2.5 h × 10


def test_points_by_the_communitys_rule(town, clock):
    point_rule_set(by=town.staff_1, code=COMMUNITY_1, points_per_hour="12",
                   urgent_bonus="5", kind_bonus={"elder_care": "8", "environment": "0"},
                   reason="2026年度积分办法")
    _task, _registration, participation = _took_part(town, clock, urgent=True,
                                                    kind="elder_care")
    hours_confirm(by=town.staff_1, participation=participation, hours=Decimal("3"))
    # 3 h × 12 + 8 (care of the elderly) + 5 (urgent) = 49
    entry = LedgerEntry.objects.get()
    assert entry.points == Decimal("49.0")
    assert (entry.person, entry.code, entry.task, entry.by) == (
        town.ann, COMMUNITY_1, participation.task, town.staff_1)
    assert balance(town.ann, COMMUNITY_1) == Decimal("49.0")
    assert PointRule.objects.get().history.first().history_change_reason == "2026年度积分办法"


def test_another_communitys_rule_does_not_apply(town, clock):
    point_rule_set(by=town.staff_2, code=COMMUNITY_2, points_per_hour="50")
    _task, _registration, participation = _took_part(town, clock)
    hours_confirm(by=town.staff_1, participation=participation, hours=1)
    assert balance(town.ann) == Decimal("10.0")


def test_a_rule_is_set_in_ones_own_communities_and_bounded(town):
    with pytest.raises(ValidationError):
        point_rule_set(by=town.staff_1, code=COMMUNITY_2, points_per_hour=1)
    for bad in ({"points_per_hour": -1}, {"points_per_hour": 101}, {"points_per_hour": "x"},
                {"points_per_hour": 1, "urgent_bonus": 1001},
                {"points_per_hour": 1, "kind_bonus": {"flying": 1}}):
        with pytest.raises(ValidationError):
            point_rule_set(by=town.staff_1, code=COMMUNITY_1, **bad)
    with pytest.raises(PermissionDenied):
        point_rule_set(by=town.worker_a, code=COMMUNITY_1, points_per_hour=1)


def test_hours_only_after_the_task_and_bounded(town, clock):
    task = a_task(town.staff_1, hours=3)
    confirmed(town.ann_user, town.staff_1)
    participation = task_sign_up(by=town.ann_user, task=task)
    clock.move_to(at(25))  # started, not ended
    with pytest.raises(ValidationError, match="ended"):
        hours_confirm(by=town.staff_1, participation=participation, hours=1)
    clock.move_to(at(27))
    for bad in (-1, "3.5", "1.2", "nan", "x"):  # the task lasted 3 h; half hours only
        with pytest.raises(ValidationError):
            hours_confirm(by=town.staff_1, participation=participation, hours=bad)
    with pytest.raises(PermissionDenied):
        hours_confirm(by=town.staff_2, participation=participation, hours=1)
    assert not LedgerEntry.objects.exists()


def test_no_more_than_24_hours_for_a_long_task(town, clock):
    task = a_task(town.staff_1, hours=48)
    confirmed(town.ann_user, town.staff_1)
    participation = task_sign_up(by=town.ann_user, task=task)
    clock.move_to(at(24 + 48))
    with pytest.raises(ValidationError):
        hours_confirm(by=town.staff_1, participation=participation, hours="24.5")
    hours_confirm(by=town.staff_1, participation=participation, hours=24)


def test_changed_hours_are_a_correction_not_an_edit(town, clock):
    _task, _registration, participation = _took_part(town, clock)
    hours_confirm(by=town.staff_1, participation=participation, hours=3)
    first = LedgerEntry.objects.get()
    with pytest.raises(ValidationError) as refused:
        hours_confirm(by=town.staff_1, participation=participation, hours=2)
    assert "reason" in refused.value.message_dict
    hours_confirm(by=town.staff_1, participation=participation, hours=2, reason="提前离开")
    lines = list(LedgerEntry.objects.order_by("pk").values_list("points", "reason"))
    assert lines[0] == (Decimal("30.0"), "3 h on 小区清扫")
    assert lines[1][0] == Decimal("-10.0")
    assert "提前离开" in lines[1][1]
    assert balance(town.ann) == Decimal("20.0")
    first.refresh_from_db()
    assert first.points == Decimal("30.0")  # the first line is as it was written
    reasons = list(participation.history.order_by("history_id")
                   .values_list("history_change_reason", flat=True))
    assert reasons[-1].startswith("correction, 2 h")


def test_the_ledger_is_append_only(town, clock):
    _task, _registration, participation = _took_part(town, clock)
    hours_confirm(by=town.staff_1, participation=participation, hours=1)
    entry = LedgerEntry.objects.get()
    entry.points = Decimal(1000)
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()
    assert LedgerEntry.objects.get().points == Decimal("10.0")


def test_a_correction_by_the_communitys_staff(town, clock):
    registration = confirmed(town.ann_user, town.staff_1)
    points_correct(by=town.staff_1, registration=registration, points="-2.5",
                   reason="重复登记")
    assert balance(town.ann) == Decimal("-2.5")
    assert LedgerEntry.objects.get().reason == "correction: 重复登记"
    for bad in ({"points": 0, "reason": "x"}, {"points": 1001, "reason": "x"},
                {"points": "0.25", "reason": "x"}, {"points": 1, "reason": " "}):
        with pytest.raises(ValidationError):
            points_correct(by=town.staff_1, registration=registration, **bad)
    for outsider in (town.staff_2, town.street_2):
        with pytest.raises(PermissionDenied):
            points_correct(by=outsider, registration=registration, points=1, reason="x")


def test_the_ranking_of_one_community_over_a_period(town, clock):
    ann = confirmed(town.ann_user, town.staff_1)
    bob = confirmed(town.bob_user, town.staff_1)
    cai = confirmed(town.cai_user, town.staff_2)
    points_correct(by=town.staff_1, registration=ann, points=30, reason="五月活动")
    clock.move_to(NOW + datetime.timedelta(days=40))  # July
    points_correct(by=town.staff_1, registration=bob, points=20, reason="七月活动")
    points_correct(by=town.staff_1, registration=ann, points=5, reason="七月活动")
    points_correct(by=town.staff_2, registration=cai, points=500, reason="七月活动")
    everything = ranking(COMMUNITY_1, full_names=True)
    assert [(row["name"], row["points"]) for row in everything] == [
        ("张小三", Decimal("35.0")), ("李四", Decimal("20.0"))]
    july = ranking(COMMUNITY_1, since=datetime.date(2026, 7, 1), full_names=True)
    assert [(row["rank"], row["name"]) for row in july] == [(1, "李四"), (2, "张小三")]
    june = ranking(COMMUNITY_1, until=datetime.date(2026, 6, 30))
    assert [(row["name"], row["person_id"]) for row in june] == [("张*三", None)]
    assert [row["points"] for row in ranking(COMMUNITY_2)] == [Decimal("500.0")]


@pytest.mark.parametrize(("name", "masked"), [("张小三", "张*三"), ("李四", "李*"),
                                          ("欧阳娜娜", "欧**娜"), ("王", "王")])
def test_names_are_masked_as_the_volunteer_role_sees_them(name, masked):
    assert mask_name(name) == masked
