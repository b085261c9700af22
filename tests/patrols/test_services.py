"""Patrols: start and end, one open at a time, checking off buildings, findings that become
events in one step, history, coverage and the history per patroller."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import GRID_A, GRID_B, GRID_C, centre_of
from wangge.events.models import Event, News
from wangge.notifications.models import Notification
from wangge.patrols.models import Patrol, PatrolFinding, PatrolVisit
from wangge.patrols.selectors import (
    checklist,
    coverage_since,
    coverage_visible_to,
    open_patrol_of,
    patroller_summaries,
    patrols_visible_to,
    unvisited_buildings,
)
from wangge.patrols.services import (
    patrol_end,
    patrol_record_finding,
    patrol_start,
    patrol_visit,
)

START = datetime.datetime(2024, 5, 6, 9, 0, tzinfo=datetime.UTC)


def test_a_patrol_starts_and_ends_with_its_history(beat):
    patrol = patrol_start(grid_code=GRID_A, by=beat.worker)
    assert open_patrol_of(beat.worker) == patrol
    patrol_end(patrol=patrol, by=beat.worker, note="一切正常")
    patrol.refresh_from_db()
    assert patrol.ended_at is not None
    assert patrol.note == "一切正常"
    assert open_patrol_of(beat.worker) is None
    rows = list(patrol.history.order_by("history_date").values_list(
        "history_change_reason", "history_user__username"))
    assert rows == [("patrol started", "worker-a"), ("patrol ended", "worker-a")]


def test_one_open_patrol_at_a_time(beat):
    patrol_start(grid_code=GRID_A, by=beat.worker)
    with pytest.raises(ValidationError) as refused:
        patrol_start(grid_code=GRID_A, by=beat.worker)
    assert "You are already on a patrol" in refused.value.message_dict["grid_code"][0]
    # Someone else may patrol the same grid at the same time.
    patrol_start(grid_code=GRID_A, by=beat.colleague)
    assert Patrol.objects.open().count() == 2


def test_a_patrol_is_refused_outside_the_jurisdiction_and_to_other_roles(beat):
    with pytest.raises(ValidationError) as refused:
        patrol_start(grid_code=GRID_C, by=beat.worker)
    assert refused.value.message_dict == {"grid_code": [f"{GRID_C} is outside your jurisdiction."]}
    with pytest.raises(ValidationError) as refused:
        patrol_start(grid_code=GRID_A[:12] + "099", by=beat.community)
    assert refused.value.message_dict == {"grid_code": [f"There is no grid {GRID_A[:12]}099."]}
    for user in (beat.resident, beat.street, beat.auditor):
        with pytest.raises(PermissionDenied):
            patrol_start(grid_code=GRID_A, by=user)
    assert not Patrol.objects.exists()


def test_checking_off_buildings(beat):
    patrol = patrol_start(grid_code=GRID_A, by=beat.worker)
    visit = patrol_visit(patrol=patrol, building=beat.gate, by=beat.worker)
    assert patrol_visit(patrol=patrol, building=beat.gate, by=beat.worker) == visit
    assert visit.history.get().history_change_reason == "visited on patrol"
    with pytest.raises(ValidationError) as refused:
        patrol_visit(patrol=patrol, building=beat.grid_b, by=beat.worker)
    assert refused.value.message_dict == {"building": ["9栋 is not in the grid of this patrol."]}
    with pytest.raises(PermissionDenied, match="Only the patroller"):
        patrol_visit(patrol=patrol, building=beat.shop, by=beat.colleague)
    rows = {b.name: b.visited for b in checklist(patrol, beat.worker)}
    assert rows == {"1栋": True, "2栋商铺": False, "3栋": False}
    assert [b.name for b in checklist(patrol, beat.worker, "商铺")] == ["2栋商铺"]
    patrol_end(patrol=patrol, by=beat.worker)
    with pytest.raises(ValidationError, match="This patrol has ended"):
        patrol_visit(patrol=patrol, building=beat.shop, by=beat.worker)
    with pytest.raises(ValidationError, match="This patrol has ended"):
        patrol_end(patrol=patrol, by=beat.worker)
    assert PatrolVisit.objects.count() == 1


def test_a_finding_becomes_an_event_in_one_step(beat):
    patrol = patrol_start(grid_code=GRID_A, by=beat.worker)
    event = patrol_record_finding(patrol=patrol, by=beat.worker, category=beat.category,
                                  description="消防通道被私家车占用", priority="high",
                                  building=beat.shop)
    assert event.state == "reported"
    assert event.building == beat.shop
    assert event.grid_code == GRID_A
    assert event.reporter == beat.worker
    assert PatrolFinding.objects.get().event == event
    assert event.patrol_finding.patrol == patrol
    # The building it was found at is checked off; the triage people of the grid are told.
    assert PatrolVisit.objects.filter(patrol=patrol, building=beat.shop).exists()
    assert Notification.objects.filter(recipient=beat.community, event=event,
                                       kind=News.REPORTED).exists()
    assert event.history.get().history_change_reason == "reported"
    # At a point instead of a building: placed in its grid by the events service.
    lon, lat = centre_of(GRID_A)
    at_point = patrol_record_finding(patrol=patrol, by=beat.worker, category=beat.category,
                                     description="路边堆放易燃物", longitude=lon, latitude=lat)
    assert at_point.grid_code == GRID_A
    assert patrol.findings.count() == 2


def test_a_refused_finding_leaves_nothing_behind(beat):
    patrol = patrol_start(grid_code=GRID_A, by=beat.worker)
    with pytest.raises(ValidationError) as refused:
        patrol_record_finding(patrol=patrol, by=beat.worker, category=beat.category,
                              description=" ", building=beat.gate)
    assert "description" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        patrol_record_finding(patrol=patrol, by=beat.worker, category=beat.category,
                              description="井盖缺失", building=beat.grid_b)
    assert "building" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        patrol_record_finding(patrol=patrol, by=beat.colleague, category=beat.category,
                              description="井盖缺失", building=beat.gate)
    assert not Event.objects.exists()
    assert not PatrolVisit.objects.exists()


def _walk(user, grid, buildings, at):
    with time_machine.travel(at, tick=False):
        patrol = patrol_start(grid_code=grid, by=user)
        for building in buildings:
            patrol_visit(patrol=patrol, building=building, by=user)
        patrol_end(patrol=patrol, by=user)
    return patrol


def test_coverage_lists_buildings_not_visited_in_the_window(beat):
    _walk(beat.worker, GRID_A, [beat.gate], START - datetime.timedelta(days=40))
    _walk(beat.colleague, GRID_A, [beat.shop], START - datetime.timedelta(days=5))
    with time_machine.travel(START, tick=False):
        since = coverage_since()  # 30 days by default
        assert since == START - datetime.timedelta(days=30)
        grids = {g.code: g for g in coverage_visible_to(beat.community, since=since)}
        assert set(grids) == {GRID_A, GRID_B}
        assert (grids[GRID_A].buildings, grids[GRID_A].visited,
                grids[GRID_A].not_visited) == (3, 1, 2)
        assert grids[GRID_A].last_patrol == START - datetime.timedelta(days=5)
        assert (grids[GRID_B].buildings, grids[GRID_B].not_visited) == (1, 1)
        assert grids[GRID_B].last_patrol is None
        # Never visited first, then the longest unvisited.
        unvisited = list(unvisited_buildings(beat.community, GRID_A, since=since))
        assert [(b.name, b.last_visit) for b in unvisited] == [
            ("3栋", None), ("1栋", START - datetime.timedelta(days=40))]
        wider = coverage_since(60)
        assert coverage_visible_to(beat.street, since=wider).get(code=GRID_A).visited == 2
    assert [g.code for g in coverage_visible_to(beat.outsider, since=since)] == [GRID_C]
    assert not coverage_visible_to(beat.resident, since=since).exists()
    assert not unvisited_buildings(beat.outsider, GRID_A, since=since).exists()


def test_patrol_history_per_patroller(beat):
    _walk(beat.worker, GRID_A, [beat.gate, beat.shop], START - datetime.timedelta(days=2))
    last = _walk(beat.worker, GRID_A, [beat.gate], START - datetime.timedelta(days=1))
    _walk(beat.colleague, GRID_A, [beat.school], START - datetime.timedelta(days=3))
    _walk(beat.outsider, GRID_C, [beat.grid_c], START - datetime.timedelta(days=1))
    rows = list(patroller_summaries(patrols_visible_to(beat.street)))
    assert [(r["patroller__username"], r["patrols"], r["buildings"], r["last_started"])
            for r in rows] == [("worker-a", 2, 2, last.started_at),
                               ("worker-a2", 1, 1, START - datetime.timedelta(days=3))]
    counted = patrols_visible_to(beat.district).with_counts().get(pk=last.pk)
    assert (counted.visit_count, counted.finding_count) == (1, 0)
    assert patrols_visible_to(beat.district).count() == 4
    assert not patrols_visible_to(beat.resident).exists()
