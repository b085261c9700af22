"""Remote medical help end to end: a grid worker's request reaches the health centre serving
the grid (its staff are told), which sets a video appointment, has medicines delivered by
the grid worker and sets a follow-up; the event is timed like any other and closed by the
grid worker. People under an active restrictive measure are served first. Who may do what."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.factories import COMMUNITY_1, GRID_A, SYSTEM, make_person, make_user
from wangge.care.medical import (
    medical_appointment_set,
    medical_delivery_arrange,
    medical_delivery_confirm,
    medical_follow_up_set,
    medical_request_file,
)
from wangge.care.models import MedicalRequest
from wangge.care.selectors import medical_queue, medical_requests_visible_to
from wangge.events.models import Priority, State
from wangge.events.services import event_transition
from wangge.foundation.permissions import Role
from wangge.measures.models import LegalBasis
from wangge.measures.services import measure_approve, measure_power_grant, measure_propose
from wangge.notifications.models import Notification
from wangge.organizations.services import organization_create

pytestmark = pytest.mark.django_db


def file(care, person, urgency="normal", by=None):
    return medical_request_file(person=person, symptoms="头晕，血压偏高", medicines="降压药",
                                urgency=urgency, by=by or care.worker)


def put_under_measure(person, approver):
    station = organization_create(name="卫生服务站", kind="department", grid_code=COMMUNITY_1,
                                  by=SYSTEM)
    measure_power_grant(organization=station, kinds=["home_monitoring"], by=SYSTEM,
                        reason="授权")
    today = timezone.localdate()
    measure = measure_propose(
        kind="home_monitoring", person=person, by=SYSTEM, submit=True, cause="密接",
        legal_basis=LegalBasis.objects.get(article="第三十九条", law__contains="传染病"),
        authority=station, starts_on=today, ends_on=today + datetime.timedelta(days=6),
        responsible=make_user(Role.GRID_WORKER, GRID_A), notified_at=timezone.now(),
        food="代购", medicine="送药", dependants_care="无", appeal_channel="电话")
    return measure_approve(measure=measure, by=approver, reason="批准")


def test_the_medical_help_flow_end_to_end(centre):
    care, health_centre, doctor = centre
    request = file(care, care.alone)
    event = request.event
    # Sent: an event of its own category, dispatched to the centre, its staff told.
    assert (request.centre, request.under_measure, event.category.code) == (
        health_centre, False, "remote-medical")
    assert (event.state, event.organization, event.priority) == (
        State.DISPATCHED, health_centre, Priority.NORMAL)
    assert event.deadline == event.reported_at + event.category.time_allowed("normal")
    assert "血压" not in event.description  # nothing medical where everyone reads events
    assert Notification.objects.filter(recipient=doctor, event=event).exists()
    assert list(medical_queue(doctor)) == [request]
    # The centre answers by video, then has the grid worker bring the medicines.
    at = timezone.now() + datetime.timedelta(hours=2)
    medical_appointment_set(request=request, kind="video", at=at, by=doctor, note="视频问诊")
    event.refresh_from_db()
    assert (event.state, event.handler) == (State.HANDLING, doctor)
    medical_delivery_arrange(request=request, courier="grid_worker", by=doctor)
    # The follow-up waits for the medicines.
    with pytest.raises(ValidationError):
        medical_follow_up_set(request=request, on=timezone.localdate(), by=doctor)
    medical_delivery_confirm(request=request, by=care.worker)
    assert request.delivery_confirmed_by == care.worker
    medical_follow_up_set(request=request, on=timezone.localdate() + datetime.timedelta(
        days=7), by=doctor, note="一周后复诊")
    event.refresh_from_db()
    assert event.state == State.FEEDBACK
    # The grid worker verifies and closes it like any event.
    event_transition(event=event, name="verify_close", by=care.worker)
    event.refresh_from_db()
    assert event.state == State.CLOSED
    assert list(medical_queue(doctor)) == []
    assert [step.action for step in event.transitions.order_by("pk")] == [
        "report", "accept", "dispatch", "start", "feedback", "verify", "close"]
    assert [row.history_change_reason for row in request.history.order_by("history_id")] == [
        "medical help requested", "appointment set", "delivery arranged",
        "medicines delivered", "follow-up set"]
    with pytest.raises(ValidationError):
        medical_appointment_set(request=request, kind="phone", at=at, by=doctor)


def test_people_under_a_measure_are_served_first(centre):
    care, _health_centre, doctor = centre
    first = file(care, care.disabled, urgency="high")
    isolated = make_person(GRID_A, "隔离者")
    put_under_measure(isolated, care.street)
    second = file(care, isolated)
    urgent = file(care, care.alone, urgency="urgent")
    assert (second.under_measure, second.event.priority) == (True, Priority.HIGH)
    assert list(medical_queue(doctor)) == [second, urgent, first]
    assert list(medical_queue(care.worker)) == [second, urgent, first]


def test_who_may_do_what(centre):
    care, health_centre, doctor = centre
    # No centre serves grid C; the outsider may not reach grid A.
    with pytest.raises(ValidationError) as refused:
        file(care, care.far, by=care.outsider)
    assert "person" in refused.value.message_dict
    with pytest.raises(ValidationError):
        file(care, care.alone, by=care.outsider)
    for role in (Role.VOLUNTEER, Role.STREET_OFFICER, Role.DEPARTMENT_STAFF, Role.AUDITOR):
        with pytest.raises(PermissionDenied):
            file(care, care.alone, by=make_user(role, GRID_A))
    with pytest.raises(ValidationError) as refused:
        medical_request_file(person=care.alone, symptoms=" ", urgency="soon", by=care.worker)
    assert set(refused.value.message_dict) == {"symptoms", "urgency"}
    request = file(care, care.alone)
    # Only the centre's staff answer; other department staff see nothing of it.
    stranger = make_user(Role.DEPARTMENT_STAFF, COMMUNITY_1)
    for user in (care.worker, stranger):
        with pytest.raises(PermissionDenied):
            medical_appointment_set(request=request, kind="phone", at=timezone.now(), by=user)
    assert not medical_requests_visible_to(stranger).exists()
    assert medical_requests_visible_to(doctor).get() == request
    assert medical_requests_visible_to(care.community).get() == request
    assert not medical_requests_visible_to(care.outsider).exists()
    assert not medical_requests_visible_to(care.volunteer).exists()
    assert MedicalRequest.objects.count() == 1
    assert health_centre.kind == "health_centre"
