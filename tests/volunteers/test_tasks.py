"""Tasks: posted by the community's staff, signed up for by its confirmed volunteers (refused
when full, overlapping another of theirs, or started), withdrawn from before they start;
volunteers called by staff, told in their inbox, accept or decline."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import COMMUNITY_1, COMMUNITY_2, GRID_A
from wangge.notifications.models import VOLUNTEERING, Notification
from wangge.volunteers.models import ParticipationState
from wangge.volunteers.services import (
    call_answer,
    registration_decide,
    registration_report_in,
    task_call,
    task_cancel,
    task_sign_up,
    task_withdraw,
)

from .conftest import a_task, at, confirmed


def test_staff_post_tasks_in_their_communities_only(town):
    task = a_task(town.staff_1, kind="environment", skills=["logistics"])
    assert task.code == COMMUNITY_1
    assert task.contact_name == town.staff_1.username
    with pytest.raises(ValidationError) as refused:
        a_task(town.staff_1, code=COMMUNITY_2)
    assert "code" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        a_task(town.staff_1, code=GRID_A)  # a grid is not a community
    assert "code" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        a_task(town.worker_a)


@pytest.mark.parametrize(("fields", "field"), [
    ({"title": ""}, "title"), ({"title": "x" * 121}, "title"), ({"place": ""}, "place"),
    ({"needed": 0}, "needed"), ({"needed": 501}, "needed"), ({"starts": -1}, "starts_at"),
    ({"hours": 0}, "ends_at"), ({"hours": 24 * 15}, "ends_at"), ({"kind": "x"}, "kind"),
    ({"skills": ["x"]}, "skills"), ({"description": "x" * 2001}, "description"),
])
def test_a_task_is_bounded(town, fields, field):
    with pytest.raises(ValidationError) as refused:
        a_task(town.staff_1, **fields)
    assert field in refused.value.message_dict


def test_sign_up_until_full(town):
    task = a_task(town.staff_1, needed=1)
    confirmed(town.ann_user, town.staff_1)
    confirmed(town.bob_user, town.staff_1)
    assert task_sign_up(by=town.ann_user, task=task).state == ParticipationState.SIGNED_UP
    with pytest.raises(ValidationError, match="already"):
        task_sign_up(by=town.ann_user, task=task)
    with pytest.raises(ValidationError, match="all the volunteers"):
        task_sign_up(by=town.bob_user, task=task)
    task_withdraw(by=town.ann_user, task=task)
    assert task_sign_up(by=town.bob_user, task=task).state == ParticipationState.SIGNED_UP


def test_only_confirmed_volunteers_of_the_community_sign_up(town):
    task = a_task(town.staff_1)
    registration_report_in(by=town.ann_user)  # waiting
    with pytest.raises(PermissionDenied):
        task_sign_up(by=town.ann_user, task=task)
    confirmed(town.cai_user, town.staff_2)  # community 2's volunteer
    with pytest.raises(PermissionDenied):
        task_sign_up(by=town.cai_user, task=task)


def test_no_sign_up_nor_withdrawal_once_started(town, clock):
    task = a_task(town.staff_1, starts=2)
    confirmed(town.ann_user, town.staff_1)
    confirmed(town.bob_user, town.staff_1)
    task_sign_up(by=town.ann_user, task=task)
    clock.move_to(at(2))
    with pytest.raises(ValidationError, match="started"):
        task_sign_up(by=town.bob_user, task=task)
    with pytest.raises(ValidationError, match="started"):
        task_withdraw(by=town.ann_user, task=task)


def test_no_two_tasks_at_once(town):
    confirmed(town.ann_user, town.staff_1)
    morning = a_task(town.staff_1, starts=24, hours=3)
    overlapping = a_task(town.staff_1, starts=26, hours=3, title="敬老院探访")
    after = a_task(town.staff_1, starts=27, hours=1, title="宣传")
    task_sign_up(by=town.ann_user, task=morning)
    with pytest.raises(ValidationError, match="overlaps"):
        task_sign_up(by=town.ann_user, task=overlapping)
    task_sign_up(by=town.ann_user, task=after)


def test_a_cancelled_task_takes_nobody(town):
    task = a_task(town.staff_1)
    confirmed(town.ann_user, town.staff_1)
    task_cancel(by=town.staff_1, task=task, reason="下雨")
    with pytest.raises(ValidationError, match="cancelled"):
        task_sign_up(by=town.ann_user, task=task)


def test_calling_volunteers(town):
    task = a_task(town.staff_1, needed=1)
    ann = confirmed(town.ann_user, town.staff_1)
    bob = confirmed(town.bob_user, town.staff_1)
    assert task_call(by=town.staff_1, task=task, registrations=[ann, bob]) == 2
    told = Notification.objects.filter(kind=VOLUNTEERING).values_list("recipient", flat=True)
    assert set(told) == {town.ann_user.pk, town.bob_user.pk}
    assert task_call(by=town.staff_1, task=task, registrations=[ann]) == 0  # called already
    assert call_answer(by=town.ann_user, task=task, accept=True).state == "signed_up"
    with pytest.raises(ValidationError, match="all the volunteers"):
        call_answer(by=town.bob_user, task=task, accept=True)
    assert call_answer(by=town.bob_user, task=task, accept=False).state == "declined"
    with pytest.raises(ValidationError, match="no call"):
        call_answer(by=town.bob_user, task=task, accept=True)
    history = list(task.participations.get(registration=ann).history.order_by("history_id")
                   .values_list("history_change_reason", flat=True))
    assert history == ["called", "accepted the call"]


def test_only_the_communitys_confirmed_volunteers_are_called(town):
    task = a_task(town.staff_1)
    waiting = registration_report_in(by=town.ann_user)
    other = confirmed(town.cai_user, town.staff_2)
    for registration in (waiting, other):
        with pytest.raises(ValidationError):
            task_call(by=town.staff_1, task=task, registrations=[registration])
    with pytest.raises(PermissionDenied):
        task_call(by=town.staff_2, task=task, registrations=[other])
    with pytest.raises(ValidationError):
        task_call(by=town.staff_1, task=task, registrations=[])


def test_a_declined_volunteer_leaves_the_tasks_to_come(town):
    task = a_task(town.staff_1)
    ann = confirmed(town.ann_user, town.staff_1)
    task_sign_up(by=town.ann_user, task=task)
    registration_decide(by=town.staff_1, registration=ann, confirm=False, note="已搬离")
    assert task.participations.get().state == ParticipationState.WITHDRAWN
