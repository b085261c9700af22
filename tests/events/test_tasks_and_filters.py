"""The to-do lists (待办) of the homes and the event list's filters (selectors), within the
caller's jurisdiction."""

import datetime

import pytest
from django.utils import timezone

from tests.events.test_workflow import walk
from tests.factories import GRID_B, GRID_C, make_user
from wangge.events.models import Category, Channel, Event, State
from wangge.events.selectors import (
    EventFilters,
    event_task_counts,
    event_tasks,
    events_filtered,
    events_visible_to,
)
from wangge.events.tally import tally_rebuild
from wangge.events.templatetags.events import deadline_phrase
from wangge.foundation.permissions import Role


def late(event: Event, hours: int = 30) -> Event:
    Event.objects.filter(pk=event.pk).update(
        deadline=timezone.now() - datetime.timedelta(hours=hours))
    tally_rebuild()  # an update behind the services' back
    return Event.objects.get(pk=event.pk)


def listed(tasks: dict) -> dict[str, list[int]]:
    return {name: [event.pk for event in events] for name, events in tasks.items()}


def test_a_grid_workers_lists_hold_what_waits_for_them_overdue_first(loop):
    new = loop.report(description="新")
    accepted = walk(loop, loop.report(), "accept")
    fed_back = walk(loop, loop.report(), "accept", "dispatch", "start", "feedback")
    at_department = late(walk(loop, loop.report(), "accept", "dispatch"))
    late_new = late(loop.report(), hours=60)
    assigned = walk(loop, loop.report(), "accept", "dispatch")
    Event.objects.filter(pk=assigned.pk).update(assignee=loop.worker)
    tally_rebuild()  # an update behind the services' back
    walk(loop, loop.report(), "accept", "dispatch", "start", "feedback", "verify_close")
    loop.report(grid=GRID_C, by=loop.outsider)  # another street's
    tasks = listed(event_tasks(loop.worker))
    assert tasks == {
        # The soonest deadline first: the one most overdue leads. A grid worker follows
        # every overdue event of their grids, also one a department is late with.
        "overdue": [late_new.pk, at_department.pk],
        "to_accept": [new.pk, accepted.pk],
        "to_handle": [assigned.pk],
        "to_verify": [fed_back.pk],
    }
    assert event_task_counts(loop.worker) == {name: len(pks) for name, pks in tasks.items()}


def test_a_departments_lists_are_what_was_given_to_it(loop):
    mine = walk(loop, loop.report(), "accept", "dispatch")
    handling = walk(loop, loop.report(), "accept", "dispatch", "start")
    mine_late = late(walk(loop, loop.report(), "accept", "dispatch"))
    late(loop.report())  # overdue, but not the department's
    walk(loop, loop.report(), "accept", "dispatch", "start", "feedback")  # with the verifier
    assert listed(event_tasks(loop.department)) == {
        "overdue": [mine_late.pk], "to_handle": [mine.pk, handling.pk]}
    assert event_task_counts(loop.department) == {"overdue": 1, "to_handle": 2}
    # Another desk of the district answers for nothing: nothing waits for it.
    assert event_task_counts(loop.other_department) == {"overdue": 0, "to_handle": 0}


def test_roles_that_neither_triage_nor_handle_have_no_lists(loop):
    loop.report()
    for role in (Role.AUDITOR, Role.VOLUNTEER, Role.RESIDENT):
        user = make_user(role, GRID_B)
        assert event_tasks(user) == {}
        assert event_task_counts(user) == {}


def test_lists_stay_within_the_jurisdiction(loop):
    loop.report(grid=GRID_C, by=loop.outsider)
    assert event_task_counts(loop.worker)["to_accept"] == 0
    assert event_task_counts(loop.outsider)["to_accept"] == 1


@pytest.mark.parametrize(("hours", "phrase"), [
    (24 * 6 + 3, "6 days left"), (5.5, "5 hours left"), (1, "1 hour left"),
    (0.25, "15 minutes left"), (-0.001, "overdue by 1 minute"),
    (-2, "overdue by 2 hours"), (-49, "overdue by 2 days"), (-24, "overdue by 1 day"),
])
def test_the_countdown_says_how_long_is_left_or_how_late(hours, phrase):
    now = timezone.now()
    assert deadline_phrase(now + datetime.timedelta(hours=hours), now) == phrase


# Filters -------------------------------------------------------------------------------------


def narrowed(user, **filters) -> list[int]:
    return list(events_filtered(events_visible_to(user), EventFilters(**filters))
                .order_by("pk").values_list("pk", flat=True))


def test_the_list_narrows_by_state_category_channel_days_and_words(loop):
    garbage = Category.objects.get(code="garbage")
    manhole = loop.report(description="幸福路井盖缺失", address="幸福路3号")
    pile = loop.report(category=garbage, description="楼下垃圾堆积")
    Event.objects.filter(pk=pile.pk).update(channel=Channel.PUBLIC, reported_at=timezone.now()
                                            - datetime.timedelta(days=10))
    tally_rebuild()  # an update behind the services' back
    pile.refresh_from_db()
    accepted = walk(loop, loop.report(description="路灯不亮"), "accept")
    worker = loop.worker
    assert narrowed(worker, state=State.ACCEPTED) == [accepted.pk]
    assert narrowed(worker, category_id=garbage.pk) == [pile.pk]
    assert narrowed(worker, category_id=garbage.parent_id) == [pile.pk]  # a group: children
    assert narrowed(worker, channel=Channel.PUBLIC) == [pile.pk]
    today = timezone.localdate()
    assert narrowed(worker, reported_from=today) == [manhole.pk, accepted.pk]
    assert narrowed(worker, reported_to=today - datetime.timedelta(days=10)) == [pile.pk]
    assert narrowed(worker, reported_from=today - datetime.timedelta(days=10),
                    reported_to=today - datetime.timedelta(days=10)) == [pile.pk]
    assert narrowed(worker, words="幸福路") == [manhole.pk]  # description and address
    assert narrowed(worker, words="幸福路 3号") == [manhole.pk]  # every word
    assert narrowed(worker, words="垃圾") == [pile.pk]  # the category's name too
    assert narrowed(worker, words=manhole.number.lower()) == [manhole.pk]
    assert narrowed(worker, words=pile.ticket.lower()) == [pile.pk]
    assert narrowed(worker, words="没有这件事") == []
    assert narrowed(loop.outsider, words="幸福路") == []
