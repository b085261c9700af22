"""Likely duplicates: open, same category, within N metres; merging keeps reporters informed."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import GRID_A, GRID_B, centre_of, make_user
from wangge.events.models import Category, Event, News, State
from wangge.events.selectors import distance_m, events_visible_to, likely_duplicates
from wangge.events.services import event_merge, event_transition
from wangge.foundation.permissions import Role
from wangge.notifications.models import Notification

# About 11 m of latitude per 0.0001°.
NEAR, FAR = 0.0004, 0.0015


def candidates(loop, user, lon, lat, category=None):
    return [d.event for d in likely_duplicates(
        events_visible_to(user), category=category or loop.category, longitude=lon,
        latitude=lat)]


def test_open_events_of_the_same_category_nearby_are_offered_nearest_first(loop, settings):
    settings.WANGGE_DUPLICATE_RADIUS_M = 100
    lon, lat = centre_of(GRID_A)
    nearer = loop.report(longitude=lon, latitude=lat + NEAR / 2)
    near = loop.report(longitude=lon, latitude=lat + NEAR)
    loop.report(longitude=lon, latitude=lat + FAR)  # about 170 m away
    loop.report(category=Category.objects.get(code="garbage"), longitude=lon, latitude=lat)
    closed = loop.report(longitude=lon, latitude=lat)
    event_transition(event=closed, name="decline", by=loop.worker, comment="误报")
    found = likely_duplicates(events_visible_to(loop.worker), category=loop.category,
                              longitude=lon, latitude=lat)
    assert [d.event for d in found] == [nearer, near]
    assert [d.metres for d in found] == [22, 44]


def test_duplicates_across_a_grid_boundary_are_found(loop):
    lon, lat = centre_of(GRID_B)
    edge = lon - 0.005  # the boundary between grid A and grid B
    in_a = loop.report(longitude=edge - 0.0002, latitude=lat)
    assert candidates(loop, loop.community, edge + 0.0002, lat) == [in_a]


def test_only_events_the_user_may_see_are_offered(loop):
    lon, lat = centre_of(GRID_A)
    loop.report(longitude=lon, latitude=lat)
    stranger = make_user(Role.GRID_WORKER, GRID_B)
    assert candidates(loop, stranger, lon, lat) == []


def test_the_distance_is_right():
    # Two points 0.001° of latitude apart are about 111 m apart anywhere.
    assert round(distance_m(114.3, 30.6, 114.3, 30.601)) == 111


def test_merging_keeps_every_reporter_informed(loop):
    first = loop.report(by=loop.worker)
    second = loop.report(by=loop.community)
    merged = event_merge(event=second, into=first, by=loop.worker, comment="同一井盖")
    assert merged.state == State.MERGED
    assert merged.duplicate_of == first
    assert Notification.objects.filter(recipient=loop.community,
                                       kind=News.MERGED).count() == 1
    first = event_transition(event=first, name="accept", by=loop.street)
    assert Notification.objects.filter(recipient=loop.community, event=first,
                                       kind=News.STATE).count() == 1
    assert Notification.objects.filter(recipient=loop.worker, event=first,
                                       kind=News.STATE).count() == 1
    assert list(first.transitions.values_list("action", flat=True)) == [
        "report", "absorb", "accept"]


def test_merging_is_refused_when_it_makes_no_sense(loop):
    first, second = loop.report(), loop.report()
    with pytest.raises(ValidationError):
        event_merge(event=first, into=first, by=loop.worker)
    event_transition(event=first, name="decline", by=loop.worker, comment="误报")
    first.refresh_from_db()
    with pytest.raises(ValidationError):
        event_merge(event=second, into=first, by=loop.worker)  # into a finished event
    with pytest.raises(ValidationError):
        event_merge(event=first, into=second, by=loop.worker)  # a finished duplicate
    with pytest.raises(PermissionDenied):
        event_merge(event=second, into=first, by=loop.department)  # may not triage


def test_a_merged_event_is_finished(loop):
    first, second = loop.report(), loop.report()
    event_merge(event=second, into=first, by=loop.worker)
    assert set(Event.objects.open()) == {first}
