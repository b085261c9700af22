"""Publishing, updating and cancelling alerts: scope, what is current, who is told, and the
scheduled preparedness messages (`wangge alerts-due`, idempotent)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from tests.factories import COMMUNITY_1, COMMUNITY_2, SYSTEM, make_user
from wangge.alerts.models import Alert, PreparednessMessage
from wangge.alerts.selectors import alerts_visible_to
from wangge.alerts.services import (
    alert_cancel,
    alert_update,
    occurrence,
    preparedness_due,
    preparedness_message_save,
)
from wangge.foundation.permissions import Role
from wangge.notifications.models import ALERT, Notification


def told(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=ALERT))


def test_a_warning_tells_the_staff_of_the_affected_grids_only(world):
    community_2 = make_user(Role.COMMUNITY_STAFF, COMMUNITY_2)
    alert = world.publish()
    [notification] = told(world.worker_a)
    assert notification.values == {"what": "Alert", "headline": "暴雨橙色预警"}
    assert notification.link == f"/alerts/{alert.pk}/"
    assert told(world.worker_c) == told(community_2) == told(world.volunteer) == []
    assert told(world.staff) == []  # the one who published it


def test_an_exercise_reaches_its_participants_only_marked(world):
    alert = world.publish(status="Exercise", participants=[world.volunteer])
    assert told(world.worker_a) == []
    [notification] = told(world.volunteer)
    assert notification.wording.startswith("[Exercise]")
    assert alert.scope == "Restricted"
    # Seen by its participant and by those who publish; not by the grids' other staff.
    assert alerts_visible_to(world.volunteer).filter(pk=alert.pk).exists()
    assert alerts_visible_to(world.staff).filter(pk=alert.pk).exists()
    assert not alerts_visible_to(world.worker_a).filter(pk=alert.pk).exists()


def test_participants_are_for_exercises_and_required_by_them(world):
    with pytest.raises(ValidationError) as refused:
        world.publish(participants=[world.volunteer])
    assert "participants" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        world.publish(status="Exercise")
    assert "participants" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:  # outside the publisher's jurisdiction
        world.publish(status="Exercise", participants=[world.worker_c])
    assert "participants" in refused.value.message_dict


def test_only_grids_of_the_jurisdiction_and_only_those_who_may(world):
    with pytest.raises(ValidationError) as refused:
        world.publish(grids=[*world.grids, world.grid_c])
    assert "grids" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        world.publish(by=world.worker_a)
    with pytest.raises(TypeError):
        world.publish(by=None)


def test_rules_are_named_by_field(world):
    now = timezone.now()
    with pytest.raises(ValidationError) as refused:
        world.publish(grids=[], headline=" ", urgency="Soon", effective=now,
                      expires=now - datetime.timedelta(hours=1), reason="")
    assert set(refused.value.message_dict) == {"reason"}
    with pytest.raises(ValidationError) as refused:
        world.publish(grids=[], headline=" ", urgency="Soon", effective=now,
                      expires=now - datetime.timedelta(hours=1))
    assert set(refused.value.message_dict) == {"grids", "headline", "urgency", "expires"}


def test_update_and_cancel_replace_the_alert_which_is_no_longer_current(world):
    alert = world.publish()
    now = timezone.now()
    assert list(Alert.objects.current(now)) == [alert]
    update = alert_update(alert=alert, by=world.staff, reason="范围扩大", headline="扩大")
    assert update.replaces == alert
    assert update.msg_type == "Update"
    assert list(Alert.objects.current(now)) == [update]
    with pytest.raises(ValidationError) as refused:  # replaced: no longer current
        alert_cancel(alert=alert, by=world.staff, reason="重复")
    assert "alert" in refused.value.message_dict
    cancel = alert_cancel(alert=update, by=world.staff, reason="解除")
    assert cancel.replaces == update
    assert cancel.note == "解除"
    assert list(Alert.objects.current(timezone.now())) == []
    # Those told of the alert are told of the update and the cancellation.
    assert [n.values["what"] for n in told(world.worker_a)] == ["Cancel", "Update", "Alert"]
    assert update.history.first().history_change_reason == "Update: 范围扩大"


def test_an_expired_alert_is_not_current(world):
    alert = world.publish(expires=timezone.now() + datetime.timedelta(minutes=5))
    assert not Alert.objects.current(timezone.now() + datetime.timedelta(minutes=6)).filter(
        pk=alert.pk).exists()


def test_an_update_by_someone_out_of_scope_is_refused(world):
    alert = world.publish()
    with pytest.raises(ValidationError):
        alert_update(alert=alert, by=world.outsider, reason="?", headline="x")


# --- scheduled preparedness messages ---------------------------------------------------------

def message(world, **fields) -> PreparednessMessage:
    values = {"community_code": COMMUNITY_1, "topic": "natural_hazards",
              "headline": "汛期防灾提示", "description": "备好应急包。",
              "starts_on": datetime.date(2026, 1, 31), "repeat": "monthly", **fields}
    return preparedness_message_save(message=PreparednessMessage(**values), by=world.staff,
                                     reason="年度宣传计划")


@pytest.mark.parametrize(("repeat", "on", "due"), [
    ("once", datetime.date(2026, 1, 30), None),
    ("once", datetime.date(2026, 3, 1), datetime.date(2026, 1, 31)),
    ("monthly", datetime.date(2026, 2, 28), datetime.date(2026, 2, 28)),  # shorter month
    ("monthly", datetime.date(2026, 3, 30), datetime.date(2026, 2, 28)),
    ("monthly", datetime.date(2027, 1, 31), datetime.date(2027, 1, 31)),
    ("yearly", datetime.date(2027, 1, 30), datetime.date(2026, 1, 31)),
    ("yearly", datetime.date(2028, 2, 1), datetime.date(2028, 1, 31)),
])
def test_occurrence(repeat, on, due):
    schedule = PreparednessMessage(starts_on=datetime.date(2026, 1, 31), repeat=repeat)
    assert occurrence(schedule, on) == due


def test_due_messages_are_published_once(world):
    scheduled = message(world)
    [alert] = preparedness_due(on=datetime.date(2026, 2, 28), by=SYSTEM)
    assert (alert.preparedness, alert.due_on) == (scheduled, datetime.date(2026, 2, 28))
    assert alert.status == "Actual"
    assert alert.category == "Met"
    assert {grid.code for grid in alert.grids.all()} == {grid.code for grid in world.grids}
    assert preparedness_due(on=datetime.date(2026, 3, 1), by=SYSTEM) == []  # run again
    assert len(told(world.worker_a)) == 1
    # The next month's date is published in its turn.
    assert len(preparedness_due(on=datetime.date(2026, 3, 31), by=SYSTEM)) == 1


def test_a_date_long_past_is_not_sent_late(world):
    message(world, repeat="once")
    assert preparedness_due(on=datetime.date(2026, 3, 1), by=SYSTEM) == []


def test_the_command_is_idempotent(world, capsys, time_machine):
    message(world, starts_on=datetime.date(2026, 5, 12), repeat="yearly")
    time_machine.move_to(datetime.datetime(2027, 5, 12, 8, tzinfo=datetime.UTC))
    call_command("alerts-due")
    call_command("alerts-due")
    assert capsys.readouterr().out.splitlines() == ["Published 1 preparedness messages.",
                                                    "Published 0 preparedness messages."]
    assert Alert.objects.count() == 1


def test_a_message_is_for_a_community_of_the_jurisdiction(world):
    with pytest.raises(ValidationError) as refused:
        message(world, community_code=COMMUNITY_2)
    assert "community_code" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        message(world, community_code="420102001000")  # a street
    assert "community_code" in refused.value.message_dict
