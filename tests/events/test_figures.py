"""The cockpit's figures of events: the tally the services keep, and the counts read from it,
on a small world whose every number is known (a frozen clock)."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tests.factories import DISTRICT, GRID_A, GRID_B, GRID_C, SYSTEM, make_user
from wangge.events.figures import (
    Period,
    event_totals,
    events_by_area,
    events_by_category,
    events_by_channel,
    events_over_time,
    period_of,
)
from wangge.events.models import Category, Event, EventTally, State
from wangge.events.services import category_save, event_merge, event_transition
from wangge.events.tally import tally_differences, tally_rebuild
from wangge.foundation.permissions import Role

# Monday 6 May 2024, 09:00 in Wuhan.
START = datetime.datetime(2024, 5, 6, 1, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)
MAY_6 = datetime.date(2024, 5, 6)


def walk(event: Event, by, *steps: str, **fields) -> Event:
    for step in steps:
        event = event_transition(event=event, name=step, by=by, comment="处理说明", **fields)
    return event


def close(loop, event: Event) -> Event:
    event = walk(event, loop.worker, "accept")
    event = walk(event, loop.worker, "dispatch", organization=loop.police)
    event = walk(event, loop.department, "start", "feedback")
    return walk(event, loop.worker, "verify", "close")


@pytest.fixture
def known(loop):
    """On 6 May: in grid A one event closed on time, one closed late, one declined, one open
    and overdue by 8 May, one open and not yet due; in grid B one open and overdue; in grid
    C (another street) one reported by the public. On 7 May in grid A one more, open. The
    clock then stands at 8 May, 09:00 (urgent: 24 hours; normal: 168 hours)."""
    with time_machine.travel(START, tick=False) as clock:
        on_time = close(loop, loop.report(priority="urgent"))
        late = loop.report(priority="urgent")
        declined = walk(loop.report(), loop.worker, "decline")
        overdue = loop.report(priority="urgent")
        loop.report()  # normal: due on 13 May
        loop.report(by=loop.community, grid=GRID_B, priority="urgent")
        loop.report(by=loop.outsider, grid=GRID_C, channel="public")
        clock.shift(DAY + 2 * HOUR)
        late = close(loop, late)
        loop.report()
        clock.shift(DAY - 2 * HOUR)
        yield {"on_time": on_time, "late": late, "declined": declined, "overdue": overdue,
               "clock": clock}


def test_the_services_keep_the_tally_a_recount_of_the_events(known, loop):
    assert tally_differences() == []
    day = EventTally.objects.get(facet="all", grid_code=GRID_A, day=MAY_6)
    assert (day.reported, day.closed, day.closed_on_time, day.set_aside) == (5, 2, 1, 1)
    assert EventTally.objects.get(facet="channel", value="public", grid_code=GRID_C).reported == 1
    top = str(loop.category.parent_id)
    assert EventTally.objects.get(facet="category", value=top, grid_code=GRID_A,
                                  day=MAY_6).reported == 5


def test_a_merge_counts_as_set_aside(known, loop):
    with time_machine.travel(START + 2 * DAY, tick=False):
        survivor = loop.report()
        duplicate = loop.report()
        event_merge(event=duplicate, into=survivor, by=loop.worker)
    assert tally_differences() == []
    day = EventTally.objects.get(facet="all", grid_code=GRID_A, day=MAY_6 + 2 * DAY)
    assert (day.reported, day.set_aside) == (2, 1)


def test_the_totals_say_what_became_of_the_events_reported(known, loop):
    totals = event_totals(loop.district, ["420102"], Period(MAY_6, MAY_6 + DAY))
    assert (totals.reported, totals.closed, totals.closed_on_time, totals.set_aside) == (
        8, 2, 1, 1)
    assert (totals.open, totals.overdue, totals.not_due) == (5, 2, 3)
    assert totals.closure_rate == pytest.approx(2 / 7)
    assert totals.on_time_rate == pytest.approx(1 / 2)
    assert totals.overdue_now == 2
    only_the_seventh = event_totals(loop.district, ["420102"], Period(MAY_6 + DAY,
                                                                      MAY_6 + DAY))
    assert (only_the_seventh.reported, only_the_seventh.overdue) == (1, 0)
    assert only_the_seventh.overdue_now == 2  # whenever reported


def test_the_figures_agree_with_the_event_list_behind_them(known, loop):
    """Each number is the length of a list: the same events read one by one."""
    events = Event.objects.filter(reported_at__date__range=(MAY_6, MAY_6 + DAY))
    totals = event_totals(loop.district, ["420102"], Period(MAY_6, MAY_6 + DAY))
    now = timezone.now()
    assert totals.reported == events.count()
    assert totals.closed == events.filter(state=State.CLOSED).count()
    assert totals.overdue == events.open().filter(deadline__lt=now).count()


def test_the_series_counts_by_day_of_report(known, loop):
    steps = events_over_time(loop.district, ["420102"], Period(MAY_6 - DAY, MAY_6 + DAY))
    assert [(first, figures.reported, figures.closed, figures.overdue)
            for first, _last, figures in steps] == [
        (MAY_6 - DAY, 0, 0, 0), (MAY_6, 7, 2, 2), (MAY_6 + DAY, 1, 0, 0)]


def test_a_long_period_counts_by_week(known, loop):
    period = Period(datetime.date(2024, 3, 1), datetime.date(2024, 5, 8))
    steps = events_over_time(loop.district, ["420102"], period)
    assert period.bucket == "week"
    assert steps[0][:2] == (datetime.date(2024, 3, 1), datetime.date(2024, 3, 3))
    assert steps[-1][:2] == (datetime.date(2024, 5, 6), datetime.date(2024, 5, 8))
    assert steps[-1][2].reported == 8
    assert sum(figures.reported for *_days, figures in steps) == 8


def test_categories_and_channels(known, loop):
    period = Period(MAY_6, MAY_6 + DAY)
    per_category = {top.code: figures for top, figures in
                    events_by_category(loop.district, ["420102"], period)}
    assert per_category[loop.category.parent.code].reported == 8
    assert per_category[loop.category.parent.code].overdue == 2
    assert sum(figures.reported for figures in per_category.values()) == 8
    per_channel = {channel.value: figures for channel, figures in
                   events_by_channel(loop.district, ["420102"], period)}
    assert (per_channel["web"].reported, per_channel["public"].reported) == (7, 1)


def test_per_street_community_and_grid(known, loop):
    period = Period(MAY_6, MAY_6 + DAY)
    streets = events_by_area(loop.district, ["420102"], period, 9)
    assert {code: figures.reported for code, figures in streets.items()} == {
        "420102001": 7, "420102002": 1}
    assert streets["420102001"].overdue_now == 2
    grids = events_by_area(loop.district, ["420102001001"], period, 15)
    assert {code: (figures.reported, figures.overdue_now) for code, figures in grids.items()
            } == {GRID_A: (6, 1), GRID_B: (1, 1)}


def test_a_street_officer_counts_nothing_of_another_street(known, loop):
    period = Period(MAY_6, MAY_6 + DAY)
    assert event_totals(loop.street, ["420102002"], period).reported == 0
    assert event_totals(loop.street, ["420102"], period).reported == 7
    assert set(events_by_area(loop.street, ["420102"], period, 9)) == {"420102001"}


def test_a_role_without_events_counts_nothing(known):
    volunteer = make_user(Role.VOLUNTEER, DISTRICT)
    totals = event_totals(volunteer, ["420102"], Period(MAY_6, MAY_6 + DAY))
    assert (totals.reported, totals.overdue_now) == (0, 0)


def test_the_period_asked_for():
    today = datetime.date(2024, 5, 8)
    assert period_of(today=today) == Period(datetime.date(2024, 4, 9), today)
    assert period_of(end=datetime.date(2030, 1, 1), today=today).end == today
    with pytest.raises(ValidationError) as refused:
        period_of(datetime.date(2024, 5, 9), datetime.date(2024, 5, 1), today=today)
    assert "from" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        period_of(datetime.date(2023, 1, 1), today, today=today)
    assert "to" in refused.value.message_dict
    assert period_of(datetime.date(2023, 5, 9), today, today=today).days == 366


def test_a_category_moved_under_another_top_counts_there(known, loop):
    other_top = Category.objects.filter(parent__isnull=True).exclude(
        pk=loop.category.parent_id).first()
    loop.category.parent = other_top
    category_save(category=loop.category, by=SYSTEM, reason="归类调整")
    assert tally_differences() == []
    per_category = {top.pk: figures.reported for top, figures in events_by_category(
        loop.district, ["420102"], Period(MAY_6, MAY_6 + DAY))}
    assert per_category[other_top.pk] == 8


def test_the_command_finds_a_difference_and_rebuilds(known):
    EventTally.objects.filter(grid_code=GRID_A).update(reported=99)
    with pytest.raises(CommandError, match="differs"):
        call_command("events-tally", stdout=StringIO())
    output = StringIO()
    call_command("events-tally", "--rebuild", "--scope", "420102001001", stdout=output)
    assert "Rebuilt" in output.getvalue()
    call_command("events-tally", stdout=(output := StringIO()))
    assert "agrees" in output.getvalue()
    assert tally_rebuild() == EventTally.objects.count()
