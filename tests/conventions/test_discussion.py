"""Versions and their diff, the discussion (who may comment, bounds, hiding), and residents
told when a convention opens for discussion or voting in their area."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import GRID_A
from wangge.conventions.diff import version_diff
from wangge.conventions.models import Comment, State
from wangge.conventions.services import (
    COMMENTS_PER_HOUR,
    comment_add,
    comment_hide,
    discussion_open,
    version_add,
)
from wangge.notifications.models import CONVENTION, Notification

from .conftest import drafted, voting


def test_the_diff_marks_lines_and_characters():
    lines = version_diff("第一条 爱护环境。\n第二条 不喧哗。",
                         "第一条 爱护公共环境。\n第三条 分类。")
    assert [line.kind for line in lines] == ["changed", "changed"]
    assert ("added", "公共") in lines[0].segments
    assert [line.kind for line in version_diff("a\nb", "a\nb\nc")] == ["same", "same", "added"]
    assert [line.kind for line in version_diff("a\nb", "a")] == ["same", "removed"]


def test_every_amendment_is_a_new_version(town):
    convention = drafted(town)
    second = version_add(convention=convention, by=town.staff, text="第一条 新的。", why="简化")
    assert second.number == 2
    assert convention.versions.get(number=1).text.startswith("第一条 爱护")
    with pytest.raises(ValidationError):  # the same text again is no amendment
        version_add(convention=convention, by=town.staff, text="第一条 新的。", why="再存")
    with pytest.raises(ValidationError):  # an amendment says why
        version_add(convention=convention, by=town.staff, text="第一条 另一个。", why=" ")


def test_residents_concerned_are_told_when_it_opens(town):
    convention = drafted(town, grid_codes=[GRID_A])
    discussion_open(convention=convention, by=town.staff)
    told = set(Notification.objects.filter(link__contains=f"/me/conventions/{convention.pk}/",
                                           kind=CONVENTION).values_list("recipient", flat=True))
    assert told == {town.accounts[name].pk for name in ("father", "mother", "li")}


def test_electors_are_told_when_the_vote_opens(town):
    convention = voting(town)
    told = set(Notification.objects.filter(link__contains=f"/me/conventions/{convention.pk}/")
               .values_list("recipient", flat=True))
    assert told == {town.accounts[name].pk for name in ("father", "mother", "li", "zhao")}


def test_who_may_comment(town):
    convention = drafted(town, grid_codes=[GRID_A])
    with pytest.raises(ValidationError, match="not open"):  # a draft is not discussed
        comment_add(convention=convention, by=town.accounts["father"], text="好")
    discussion_open(convention=convention, by=town.staff)
    comment = comment_add(convention=convention, by=town.accounts["father"], text="同意",
                          amendment="第一条 爱护公共环境，人人有责。")
    assert comment.author_name == "王*"  # a resident is shown by surname alone
    assert comment_add(convention=convention, by=town.worker_a, text="欢迎讨论").staff
    with pytest.raises(PermissionDenied):  # lives in grid B: not concerned
        comment_add(convention=convention, by=town.accounts["zhao"], text="我也说")
    with pytest.raises(PermissionDenied):
        comment_add(convention=convention, by=town.other_staff, text="外社区")
    with pytest.raises(ValidationError):
        comment_add(convention=convention, by=town.accounts["li"], text="长" * 1001)


def test_comments_are_rate_bounded_per_person(town):
    convention = drafted(town)
    discussion_open(convention=convention, by=town.staff)
    for number in range(COMMENTS_PER_HOUR):
        comment_add(convention=convention, by=town.accounts["li"], text=f"意见{number}")
    with pytest.raises(ValidationError, match="wait"):
        comment_add(convention=convention, by=town.accounts["li"], text="再一条")
    comment_add(convention=convention, by=town.accounts["father"], text="我的第一条")


def test_staff_hide_an_abusive_comment_with_a_reason_kept_in_history(town):
    convention = drafted(town)
    discussion_open(convention=convention, by=town.staff)
    comment = comment_add(convention=convention, by=town.accounts["li"], text="骂人的话")
    with pytest.raises(PermissionDenied):
        comment_hide(comment=comment, by=town.worker_a, reason="辱骂")
    with pytest.raises(ValidationError):
        comment_hide(comment=comment, by=town.staff, reason="")
    comment_hide(comment=comment, by=town.staff, reason="辱骂他人")
    comment = Comment.objects.get(pk=comment.pk)
    assert comment.hidden_reason == "辱骂他人"
    assert comment.history.first().history_change_reason == "辱骂他人"
    assert comment.history.count() == 2


def test_an_amendment_taken_into_a_new_version(town):
    convention = drafted(town)
    discussion_open(convention=convention, by=town.staff)
    comment = comment_add(convention=convention, by=town.accounts["li"], text="建议改",
                          amendment="第一条 爱护公共环境，人人有责。")
    version = version_add(convention=convention, by=town.staff, text=comment.amendment,
                          why="采纳居民修改", from_comment=comment)
    assert (version.number, version.from_comment) == (2, comment)
    convention.refresh_from_db()
    assert convention.state == State.DISCUSSION
