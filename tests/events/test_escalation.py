"""Overdue events climb grid → community → street → district, on a frozen clock."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from tests.factories import COMMUNITY_1, DISTRICT, GRID_A, STREET_1, SYSTEM
from wangge.events.models import Event, News, State
from wangge.events.selectors import event_counts
from wangge.events.services import event_escalate_overdue, event_transition
from wangge.events.tasks import escalate_overdue
from wangge.notifications.models import Notification

START = datetime.datetime(2024, 5, 6, 9, 0, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)


def escalated_to(user):
    return list(Notification.objects.filter(recipient=user, kind=News.ESCALATED)
                .values_list("event_id", flat=True))


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_an_overdue_event_climbs_one_level_per_interval_to_the_district(loop, settings,
                                                                        immediate_tasks):
    settings.WANGGE_ESCALATION_HOURS = 24
    with time_machine.travel(START, tick=False) as clock:
        event = loop.report(priority="urgent")  # 24 hours allowed
        event = event_transition(event=event, name="accept", by=loop.worker)
        event = event_transition(event=event, name="dispatch", by=loop.worker,
                                 organization=loop.police)
        assert event.deadline == START + 24 * HOUR

        clock.move_to(START + 23 * HOUR)
        assert escalate_overdue.enqueue().return_value == 0  # not overdue yet

        clock.move_to(START + 25 * HOUR)
        assert escalate_overdue.enqueue().return_value == 1
        event.refresh_from_db()
        assert (event.responsible_code, event.escalations) == (COMMUNITY_1, 1)
        assert escalated_to(loop.community) == [event.pk]
        assert escalated_to(loop.department) == [event.pk]  # its handler hears too
        assert escalated_to(loop.street) == []

        clock.move_to(START + 30 * HOUR)
        assert event_escalate_overdue(by=SYSTEM) == 0  # escalated once per interval only

        clock.move_to(START + 50 * HOUR)
        assert event_escalate_overdue(by=SYSTEM) == 1
        event.refresh_from_db()
        assert (event.responsible_code, event.escalations) == (STREET_1, 2)
        assert escalated_to(loop.street) == [event.pk]

        clock.move_to(START + 75 * HOUR)
        call_command("escalate", stdout=StringIO())
        event.refresh_from_db()
        assert (event.responsible_code, event.escalations) == (DISTRICT, 3)
        assert escalated_to(loop.district) == [event.pk]

        clock.move_to(START + 200 * HOUR)
        assert event_escalate_overdue(by=SYSTEM) == 0  # the district is the top
        event.refresh_from_db()
        assert event.escalations == 3
        assert event.escalate_after is None

    steps = list(event.transitions.filter(action="escalate").values_list("comment", flat=True))
    assert steps == ["民意社区", "大智街道", "江岸区"]


def test_finished_events_are_never_escalated(loop):
    with time_machine.travel(START, tick=False) as clock:
        event = event_transition(event=loop.report(), name="decline", by=loop.worker,
                                 comment="重复上报")
        clock.move_to(START + 1000 * HOUR)
        assert event_escalate_overdue(by=SYSTEM) == 0
        assert Event.objects.get(pk=event.pk).escalations == 0


def test_overdue_and_escalated_counts_per_jurisdiction(loop):
    with time_machine.travel(START, tick=False) as clock:
        late = loop.report(priority="urgent")
        loop.report(priority="normal")
        clock.move_to(START + 30 * HOUR)
        event_escalate_overdue(by=SYSTEM)
        everything = Event.objects.all()
        assert event_counts(everything) == {"open": 2, "overdue": 1, "escalated": 1,
                                            "reported": 2, "accepted": 0, "dispatched": 0,
                                            "handling": 0, "feedback": 0, "verified": 0}
        assert list(Event.objects.overdue(START + 30 * HOUR)) == [late]
        assert set(event_counts(Event.objects.in_scope(["420102002"])).values()) == {0}


def test_the_command_can_hand_the_work_to_the_worker(loop):
    out = StringIO()
    call_command("escalate", "--enqueue", stdout=out)
    assert out.getvalue().startswith("Enqueued ")
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.filter(task_path="wangge.events.tasks.escalate_overdue").exists()


def test_an_escalated_event_stays_in_the_grid_workers_list(loop):
    with time_machine.travel(START, tick=False) as clock:
        event = loop.report(priority="urgent")
        clock.move_to(START + 30 * HOUR)
        event_escalate_overdue(by=SYSTEM)
        assert Event.objects.in_scope([GRID_A]).escalated().get() == event
        assert event.state == State.REPORTED
