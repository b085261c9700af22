"""The handling loop without friction (services and selectors): the handler (承办人), photos
taken after handling, verify and close in one step, satisfaction ratings that reopen an
event once one level up, and the organization dispatch preselects."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.events.test_photos import camera_jpeg
from tests.events.test_workflow import walk
from tests.factories import COMMUNITY_1, DISTRICT, STREET_1, STREET_2, SYSTEM, make_user
from wangge.events.models import (
    Category,
    DispatchDefault,
    Event,
    EventRating,
    News,
    PhotoStage,
    RatingSource,
    Satisfaction,
    State,
)
from wangge.events.selectors import usual_handler
from wangge.events.services import (
    dispatch_default_add,
    dispatch_default_remove,
    event_rate,
    event_rating_open,
    event_transition,
)
from wangge.foundation.actors import system_actor
from wangge.foundation.permissions import Role
from wangge.notifications.delivery import describe
from wangge.notifications.models import Notification
from wangge.organizations.services import organization_create


def photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("after.jpg", camera_jpeg(), "image/jpeg")


def closed(loop, event: Event | None = None) -> Event:
    """``event`` (or a new report) taken round the loop to closed."""
    event = event or loop.report()
    steps = ("accept",) if event.state == State.REPORTED else ()
    return walk(loop, event, *steps, "dispatch", "start", "feedback", "verify_close")


# The handler (承办人) -----------------------------------------------------------------------


def test_whoever_starts_handling_is_the_handler_until_it_is_returned(loop):
    event = walk(loop, loop.report(), "accept", "dispatch")
    assert event.handler is None
    event = walk(loop, event, "start")
    assert event.handler == loop.department
    colleague = make_user(Role.DEPARTMENT_STAFF, DISTRICT, username="police-2")
    loop.police.responders.create(user=colleague)
    event = event_transition(event=event, name="feedback", by=colleague, comment="已修复")
    assert event.handler == colleague  # who reported the result
    event = event_transition(event=event, name="reject", by=loop.worker, comment="仍松动")
    event = event_transition(event=event, name="return", by=colleague, comment="非我单位")
    assert (event.handler, event.organization) == (None, None)
    assert event.history.first().handler_id is None


# Photos after handling --------------------------------------------------------------------


def test_the_result_carries_photos_after_handling_without_their_metadata(loop, tmp_path,
                                                                         settings):
    settings.MEDIA_ROOT = tmp_path
    event = walk(loop, loop.report(photos=[photo()]), "accept", "dispatch", "start")
    event = event_transition(event=event, name="feedback", by=loop.department,
                             comment="已更换井盖", photos=[photo(), photo()])
    stages = list(event.photos.values_list("stage", flat=True))
    assert stages == [PhotoStage.REPORT, PhotoStage.AFTER, PhotoStage.AFTER]
    after = event.photos.filter(stage=PhotoStage.AFTER).first()
    assert after.uploaded_by == loop.department
    assert b"HUAWEI" not in after.image.read()


def test_photos_go_with_the_result_only_and_are_decoded_outside_the_transaction(
        loop, decoded_in, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    event = loop.report()
    with pytest.raises(ValidationError) as refused:
        event_transition(event=event, name="accept", by=loop.worker, photos=[photo()])
    assert "photos" in refused.value.message_dict
    assert Event.objects.get(pk=event.pk).state == State.REPORTED
    event = walk(loop, event, "accept", "dispatch", "start")
    decoded_in.clear()
    event_transition(event=event, name="feedback", by=loop.department, comment="好了",
                     photos=[photo()])
    assert decoded_in == [0]


def test_a_refused_result_leaves_no_photo_behind(loop, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    event = walk(loop, loop.report(), "accept", "dispatch", "start")
    with pytest.raises(PermissionDenied):
        event_transition(event=event, name="feedback", by=loop.other_department,
                         comment="好了", photos=[photo()])
    assert not event.photos.exists()
    assert not any(tmp_path.rglob("*.jpg"))


# Verify and close in one step -------------------------------------------------------------


def test_verify_and_close_is_one_step_recorded_as_both(loop):
    event = walk(loop, loop.report(), "accept", "dispatch", "start", "feedback")
    saves = event.history.count()
    event = event_transition(event=event, name="verify_close", by=loop.community,
                             comment="现场核实")
    assert event.state == State.CLOSED
    assert event.closed_at is not None
    assert event.escalate_after is None
    assert list(event.transitions.values_list("action", "source", "target", "comment"))[-2:] \
        == [("verify", "feedback", "verified", "现场核实"),
            ("close", "verified", "closed", "现场核实")]
    assert event.history.count() == saves + 1


def test_verify_and_close_needs_both_rights_and_the_state(loop):
    event = walk(loop, loop.report(), "accept", "dispatch", "start")
    with pytest.raises(ValidationError) as refused:
        event_transition(event=event, name="verify_close", by=loop.worker)
    assert refused.value.messages == [
        "“Verified: close the event” is not possible while the event is Handling."]
    event = walk(loop, event, "feedback")
    for who in (loop.street, loop.department):  # the street closes but does not verify
        with pytest.raises(PermissionDenied) as denied:
            event_transition(event=event, name="verify_close", by=who)
        assert str(denied.value) == "Your role may not do this: Verified: close the event."
    assert Event.objects.get(pk=event.pk).state == State.FEEDBACK


# Satisfaction ratings ----------------------------------------------------------------------


def test_a_satisfied_rating_is_kept_and_asked_once_per_closing(loop):
    event = closed(loop)
    assert event_rating_open(event)
    rating = event_rate(event=event, satisfaction=Satisfaction.SATISFIED, by=loop.community,
                        comment="回访满意")
    assert (rating.source, rating.recorded_by, rating.reopened) == (
        RatingSource.CALL, loop.community, False)
    assert not event_rating_open(event)
    with pytest.raises(ValidationError) as refused:
        event_rate(event=event, satisfaction=Satisfaction.UNSATISFIED, by=loop.community)
    assert refused.value.messages == ["This event has been rated since it was closed."]
    assert Event.objects.get(pk=event.pk).state == State.CLOSED


def test_an_unsatisfied_rating_reopens_the_event_once_one_level_up(loop):
    event = closed(loop)
    public = system_actor("residents' page", scope_prefixes=(event.grid_code,))
    rating = event_rate(event=event, satisfaction=Satisfaction.UNSATISFIED, by=public,
                        comment="井盖还是松的", source=RatingSource.PUBLIC)
    assert rating.reopened
    assert rating.recorded_by is None
    event.refresh_from_db()
    assert event.state == State.ACCEPTED
    assert (event.responsible_code, event.escalations) == (COMMUNITY_1, 1)
    assert (event.closed_at, event.organization, event.handler) == (None, None, None)
    assert event.deadline > timezone.now() + datetime.timedelta(hours=167)
    assert event.escalate_after == event.deadline
    reopen = event.transitions.last()
    assert (reopen.action, reopen.source, reopen.target, reopen.comment) == (
        "reopen", "closed", "accepted", "民意社区")
    # The community's staff hear of it, and why.
    told = Notification.objects.get(recipient=loop.community, event=event,
                                    kind=News.REOPENED)
    assert describe(told) == (f"{event.number} (井盖缺失或破损) was reopened, the resident not "
                              "satisfied with it; it is now for 民意社区.")

    # Dispatched again and closed again: a second "not satisfied" is kept, no more.
    event = closed(loop, event)
    second = event_rate(event=event, satisfaction=Satisfaction.UNSATISFIED, by=public,
                        source=RatingSource.PUBLIC)
    assert not second.reopened
    event.refresh_from_db()
    assert (event.state, event.responsible_code) == (State.CLOSED, COMMUNITY_1)
    assert list(event.ratings.values_list("satisfaction", "reopened")) == [
        ("unsatisfied", True), ("unsatisfied", False)]


def test_an_event_at_the_district_reopens_there(loop):
    event = closed(loop)
    Event.objects.filter(pk=event.pk).update(responsible_code=DISTRICT)
    event_rate(event=event, satisfaction=Satisfaction.UNSATISFIED, by=loop.district)
    event.refresh_from_db()
    assert (event.state, event.responsible_code, event.escalations) == (
        State.ACCEPTED, DISTRICT, 0)


def test_a_rating_is_refused_before_closing_outside_the_jurisdiction_and_to_handlers(loop):
    event = walk(loop, loop.report(), "accept")
    with pytest.raises(ValidationError) as refused:
        event_rate(event=event, satisfaction=Satisfaction.SATISFIED, by=loop.worker)
    assert refused.value.messages == ["Only a closed event is rated."]
    event = closed(loop, event)
    with pytest.raises(PermissionDenied):
        event_rate(event=event, satisfaction=Satisfaction.SATISFIED, by=loop.outsider)
    with pytest.raises(PermissionDenied):
        event_rate(event=event, satisfaction=Satisfaction.SATISFIED, by=loop.department)
    with pytest.raises(ValidationError) as refused:
        event_rate(event=event, satisfaction="delighted", by=loop.worker)
    assert "satisfaction" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        event_rate(event=event, satisfaction=Satisfaction.SATISFIED, by=loop.worker,
                   comment="很" * 501)
    assert "comment" in refused.value.message_dict
    assert not EventRating.objects.exists()
    with pytest.raises(TypeError):
        event_rate(event=event, satisfaction=Satisfaction.SATISFIED, by=None)


# The organization dispatch preselects --------------------------------------------------------


def test_dispatch_preselects_the_usual_handler_set_for_the_category(loop):
    event = walk(loop, loop.report(), "accept")
    assert usual_handler(loop.worker, event) is None  # nothing set, nothing learned
    urban = organization_create(name="江岸区城管局", kind="department", grid_code=DISTRICT,
                                by=SYSTEM)
    dispatch_default_add(category=loop.category.parent, organization=loop.police,
                         by=loop.district)
    assert usual_handler(loop.worker, event) == loop.police  # the group's
    dispatch_default_add(category=loop.category, organization=urban, by=loop.district)
    assert usual_handler(loop.worker, event) == urban  # the category's own comes first
    office = organization_create(name="大智街道办", kind="department", grid_code=STREET_1,
                                 by=SYSTEM)
    dispatch_default_add(category=loop.category, organization=office, by=loop.district)
    assert usual_handler(loop.worker, event) == office  # the nearest to the grid


def test_a_usual_handler_that_does_not_serve_the_place_is_not_preselected(loop):
    other_street = organization_create(name="一元街道办", kind="department",
                                       grid_code=STREET_2, by=SYSTEM)
    dispatch_default_add(category=loop.category, organization=other_street,
                         by=loop.district)
    event = walk(loop, loop.report(), "accept")
    assert usual_handler(loop.worker, event) is None


def test_without_a_setting_dispatch_learns_from_the_categorys_recent_dispatches(loop):
    urban = organization_create(name="江岸区城管局", kind="department", grid_code=DISTRICT,
                                by=SYSTEM)
    for organization in (urban, urban, loop.police):
        event = walk(loop, loop.report(), "accept")
        event_transition(event=event, name="dispatch", by=loop.worker,
                         organization=organization)
    other = loop.report(category=Category.objects.get(code="garbage"))
    event_transition(event=walk(loop, other, "accept"), name="dispatch", by=loop.worker,
                     organization=loop.police)
    event = walk(loop, loop.report(), "accept")
    assert usual_handler(loop.worker, event) == urban


def test_usual_handlers_are_set_within_the_jurisdiction_by_those_who_configure(loop):
    with pytest.raises(PermissionDenied):
        dispatch_default_add(category=loop.category, organization=loop.police,
                             by=loop.worker)
    street_admin = make_user(Role.DISTRICT_ADMIN, STREET_1)
    with pytest.raises(ValidationError) as refused:
        dispatch_default_add(category=loop.category, organization=loop.police,
                             by=street_admin)
    assert "organization" in refused.value.message_dict
    default = dispatch_default_add(category=loop.category, organization=loop.police,
                                   by=loop.district)
    with pytest.raises(ValidationError):
        dispatch_default_add(category=loop.category, organization=loop.police,
                             by=loop.district)
    with pytest.raises(ValidationError):
        dispatch_default_remove(default=default, by=street_admin)
    dispatch_default_remove(default=default, by=loop.district)
    assert not DispatchDefault.objects.exists()
