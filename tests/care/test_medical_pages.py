"""The medical help pages: a grid worker asks from the person's page, the centre's staff
answer from their queue step by step, the grid worker confirms the delivery; 404 outside
the jurisdiction (or for staff of another centre), 403 for roles that may not."""

import datetime

import pytest
from django.utils import timezone

from tests.factories import COMMUNITY_1, GRID_A, make_user
from wangge.care.models import MedicalRequest
from wangge.care.selectors import medical_queue
from wangge.events.models import State
from wangge.foundation.permissions import Role

pytestmark = pytest.mark.django_db


def test_asked_answered_and_delivered_through_the_pages(centre, page_as):
    care, _health_centre, doctor = centre
    worker = page_as(care.worker)
    assert 'id="person-care"' in worker.get(f"/people/{care.alone.pk}/").content.decode()
    assert worker.get(f"/care/medical/new/{care.alone.pk}/").status_code == 200
    sent = worker.post(f"/care/medical/new/{care.alone.pk}/", {
        "symptoms": "发烧两天", "medicines": "退烧药", "urgency": "high"})
    request = MedicalRequest.objects.get()
    assert sent.status_code == 302
    assert sent.url == f"/care/medical/{request.pk}/"
    staff = page_as(doctor)
    queue = staff.get("/care/medical/").content.decode()
    assert f'data-request="{request.pk}"' in queue
    at = (timezone.localtime() + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    for step, body in (("appointment", {"appointment-kind": "phone", "appointment-at": at}),
                       ("delivery", {"delivery-courier": "grid_worker"})):
        assert staff.post(f"/care/medical/{request.pk}/{step}/", body).status_code == 302
    page = worker.get(f"/care/medical/{request.pk}/").content.decode()
    assert "发烧两天" in page
    assert "/delivered/" in page
    worker.post(f"/care/medical/{request.pk}/delivered/", {})
    follow_up = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    staff.post(f"/care/medical/{request.pk}/follow-up/", {"follow_up-on": follow_up})
    request.refresh_from_db()
    assert (request.appointment_kind, request.courier, request.follow_up_on.isoformat()) == (
        "phone", "grid_worker", follow_up)
    assert request.delivered_at is not None
    assert request.event.state == State.FEEDBACK
    # A step the worker may not take is refused with a message, nothing saved.
    answer = worker.post(f"/care/medical/{request.pk}/appointment/", {
        "appointment-kind": "video", "appointment-at": at}, follow=True)
    assert "Only the health centre" in answer.content.decode()
    assert staff.post(f"/care/medical/{request.pk}/nonsense/", {}).status_code == 404


@pytest.mark.parametrize(("role", "queue", "new"), [
    (Role.GRID_WORKER, 200, 200), (Role.COMMUNITY_STAFF, 200, 200),
    (Role.STREET_OFFICER, 200, 403), (Role.DEPARTMENT_STAFF, 200, 403),
    (Role.VOLUNTEER, 200, 403), (Role.RESIDENT, 403, 403), (Role.SYSTEM_ADMIN, 403, 403),
])
def test_who_may_open_the_pages(centre, page_as, role, queue, new):
    care, _health_centre, _doctor = centre
    page = page_as(make_user(role, GRID_A))
    assert page.get("/care/medical/").status_code == queue
    assert page.get(f"/care/medical/new/{care.alone.pk}/").status_code == new


def test_outside_the_jurisdiction_or_the_centre_a_request_is_not_found(centre,
                                                                        page_as):
    care, _health_centre, _doctor = centre
    page_as(care.worker).post(f"/care/medical/new/{care.alone.pk}/", {
        "symptoms": "咳嗽", "urgency": "normal"})
    request = MedicalRequest.objects.get()
    assert page_as(care.outsider).get(f"/care/medical/{request.pk}/").status_code == 404
    other = make_user(Role.DEPARTMENT_STAFF, COMMUNITY_1)
    assert page_as(other).get(f"/care/medical/{request.pk}/").status_code == 404
    assert page_as(care.volunteer).get(f"/care/medical/{request.pk}/").status_code == 404
    assert page_as(care.outsider).get(f"/care/medical/new/{care.alone.pk}/").status_code == 404


def test_a_resident_asks_for_medical_help_for_themselves(centre, page_as):
    from wangge.residents.services import resident_account_for

    care, health_centre, doctor = centre
    account = resident_account_for(person=care.alone)
    page = page_as(account)
    assert "Ask for medical help" in page.get("/me/").content.decode()
    refused = page.post("/care/medical/mine/", {"symptoms": "", "urgency": "normal"})
    assert refused.status_code == 200
    assert not MedicalRequest.objects.exists()
    sent = page.post("/care/medical/mine/", {"symptoms": "咳嗽三天", "medicines": "止咳药",
                                             "urgency": "urgent"})
    assert sent.url == "/care/medical/mine/"
    request = MedicalRequest.objects.get()
    assert (request.person, request.centre, request.event.channel) == (
        care.alone, health_centre, "public")
    assert list(medical_queue(doctor)) == [request]
    mine = page.get("/care/medical/mine/").content.decode()
    assert health_centre.name in mine
    # Another resident's request is never theirs to see; staff have no "mine".
    assert page.get(f"/care/medical/{request.pk}/").status_code in (403, 404)
    assert page_as(care.worker).get("/care/medical/mine/").status_code == 403
