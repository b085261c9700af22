"""The care pages on a phone: the visits due, the one-screen visit form, the home's
section; 404 outside the jurisdiction, 403 for roles that may not."""

import pytest
import time_machine

from tests.care.test_visits import day
from tests.factories import GRID_A, make_user
from wangge.care.models import CareVisit, Outcome
from wangge.events.models import Event
from wangge.foundation.permissions import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def care(world):
    from tests.care.conftest import make_care

    with time_machine.travel(day(0), tick=False):
        return make_care()


@pytest.fixture(autouse=True)
def clock():
    """Nine days after the circumstances began: the older person living alone is two days
    late, the person with a disability not yet due."""
    with time_machine.travel(day(9), tick=False):
        yield


def test_the_grid_worker_sees_who_is_due_and_records_a_visit(care, page_as):
    page = page_as(care.worker)
    listed = page.get("/care/visits/")
    assert listed.status_code == 200
    text = listed.content.decode()
    assert "王秀英" in text
    assert "2 days late" in text
    assert "刘强" not in text
    assert "陈淑珍" not in text
    assert "赵桂兰" not in text
    assert f'href="/care/visits/{care.alone.pk}/"' in text
    form = page.get(f"/care/visits/{care.alone.pk}/")
    assert form.status_code == 200
    assert 'name="outcome"' in form.content.decode()
    # "Needs help" without saying what: the form again, nothing saved.
    refused = page.post(f"/care/visits/{care.alone.pk}/", {
        "outcome": Outcome.NEEDS_HELP, "note": "", "rule": care.weekly.pk})
    assert refused.status_code == 200
    assert "Say what help is needed." in refused.content.decode()
    assert not CareVisit.objects.exists()
    done = page.post(f"/care/visits/{care.alone.pk}/", {
        "outcome": Outcome.NEEDS_HELP, "note": "药吃完了", "rule": care.weekly.pk},
        follow=True)
    visit = CareVisit.objects.get()
    event = Event.objects.get()
    assert visit.event == event
    assert event.number in done.content.decode()  # the message names the event
    assert f'data-person="{care.alone.pk}"' not in done.content.decode()  # visited


def test_the_home_lists_the_visits_due_and_the_event_a_visit_opened(care, page_as):
    page = page_as(care.worker)
    home = page.get("/").content.decode()
    assert 'id="tasks-care"' in home
    assert f'href="/care/visits/{care.alone.pk}/"' in home
    page.post(f"/care/visits/{care.alone.pk}/", {
        "outcome": Outcome.NEEDS_HELP, "note": "需要送药", "rule": care.weekly.pk})
    home = page.get("/").content.decode()
    assert 'id="tasks-care"' not in home
    # The event waits in the grid worker's list to accept.
    section = home.split('id="tasks-to_accept"')[1].split("</section>")[0]
    assert f'href="/events/{Event.objects.get().pk}/"' in section


def test_outside_the_jurisdiction_a_person_is_not_found(care, page_as):
    assert page_as(care.outsider).get(f"/care/visits/{care.alone.pk}/").status_code == 404
    assert page_as(care.outsider).post(f"/care/visits/{care.alone.pk}/", {
        "outcome": Outcome.WELL, "rule": care.weekly.pk}).status_code == 404
    # Someone under no rule has no visit to record.
    assert page_as(care.worker).get(f"/care/visits/{care.with_family.pk}/").status_code == 404
    assert not CareVisit.objects.exists()


@pytest.mark.parametrize(("role", "listed", "visits"), [
    (Role.GRID_WORKER, 200, 200), (Role.COMMUNITY_STAFF, 200, 200),
    (Role.DISTRICT_ADMIN, 200, 200),
    (Role.STREET_OFFICER, 200, 403),  # oversees: sees who is due, visits no one
    (Role.DEPARTMENT_STAFF, 403, 403), (Role.VOLUNTEER, 403, 403), (Role.RESIDENT, 403, 403),
    (Role.AUDITOR, 403, 403), (Role.SYSTEM_ADMIN, 403, 403), (Role.SECURITY_ADMIN, 403, 403),
])
def test_who_may_open_the_pages(care, page_as, role, listed, visits):
    page = page_as(make_user(role, GRID_A))
    assert page.get("/care/visits/").status_code == listed
    assert page.get(f"/care/visits/{care.alone.pk}/").status_code == visits
    assert page.post(f"/care/visits/{care.alone.pk}/", {
        "outcome": Outcome.WELL, "rule": care.weekly.pk}).status_code in (visits, 302)
    assert CareVisit.objects.exists() == (visits == 200)


def test_someone_under_two_rules_is_visited_under_the_one_chosen(care, page_as):
    from tests.care.conftest import joined

    joined(care.alone, "disability", {"category": "1", "grade": "3"})
    page = page_as(care.worker)
    form = page.get(f"/care/visits/{care.alone.pk}/").content.decode()
    assert 'name="rule"' in form
    assert page.post(f"/care/visits/{care.alone.pk}/", {
        "outcome": Outcome.WELL, "rule": care.monthly.pk}).status_code == 302
    assert CareVisit.objects.get().rule == care.monthly
