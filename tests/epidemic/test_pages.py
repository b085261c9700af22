"""The pages: a grid worker records a case from the event of a check-in's alert, moves it on,
adds a test, traces and lists contacts, and reads the chain; other roles see health fields
masked and write nothing; unmasked reads are logged; outside the jurisdiction is 404."""

import re

import pytest

from tests.epidemic.conftest import at, confirmed, days_ago
from tests.factories import GRID_A
from wangge.auditlog.models import Entry as LogEntry
from wangge.epidemic.models import Case, CaseStatus, Exposure
from wangge.epidemic.services import case_record, visit_record
from wangge.events.models import Event
from wangge.health.models import CheckInChannel, EnteredBy
from wangge.health.services import answer_checked, check_in_record


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def alert(world_town):
    """张伟 checked in with a fever: the event of the alert."""
    town = world_town.town
    check_in_record(person=town.head, answer=answer_checked(temperature="38.6"),
                    entered_by=EnteredBy.GRID_WORKER, channel=CheckInChannel.PAGE,
                    by=town.worker)
    return Event.objects.get()


def test_a_case_is_recorded_from_the_alerts_event(world_town, alert, page_as):
    town = world_town.town
    worker = page_as(town.worker)
    event_page = worker.get(f"/events/{alert.pk}/")
    link = f"/epidemic/persons/{town.head.pk}/case/?event={alert.pk}"
    assert "Record a case for 张伟" in text(event_page)
    assert link.replace("&", "&amp;") in text(event_page) or link in text(event_page)
    form = worker.get(link)
    assert form.status_code == 200
    assert 'value="check_in" selected' in text(form)
    refused = worker.post(link, {"status": "confirmed", "source": "check_in",
                                 "reported_on": days_ago(0)})
    assert refused.status_code == 422
    assert "needs the date it was confirmed" in text(refused)
    done = worker.post(link, {"status": "confirmed", "source": "check_in",
                              "reported_on": days_ago(0), "confirmed_on": days_ago(0),
                              "onset_on": days_ago(1)})
    case = Case.objects.get()
    assert done.status_code == 302
    assert done["Location"] == f"/epidemic/cases/{case.pk}/"
    page = text(worker.get(done["Location"]))
    assert f'href="/people/{town.head.pk}/"' in page or "person-link" in page
    assert '<dd id="case-status">Confirmed</dd>' in page
    assert "Open the case of 张伟" in text(worker.get(f"/events/{alert.pk}/"))
    # The read of the case's health fields is logged, with the purpose.
    entry = LogEntry.objects.filter(target="case").latest("pk")
    assert entry.user_id == town.worker.pk
    assert "health_status" in entry.fields
    assert entry.purpose


def test_others_see_it_masked_and_cannot_write(world_town, alert, page_as):
    town = world_town.town
    case = confirmed(world_town)
    street = page_as(town.street)
    assert "Record a case" not in text(street.get(f"/events/{alert.pk}/"))
    page = street.get(f"/epidemic/cases/{case.pk}/")
    assert page.status_code == 200
    body = text(page)
    assert '<dd id="case-status">***</dd>' in body
    assert ">Confirmed<" not in body
    assert days_ago(3).isoformat() not in body  # the onset
    assert "Trace contacts" not in body
    assert not LogEntry.objects.filter(target="case").exists()
    listed = text(street.get("/epidemic/?status=confirmed"))
    assert "张伟" in listed
    assert ">Confirmed<" not in listed
    assert street.post(f"/epidemic/cases/{case.pk}/trace/").status_code == 403
    assert page_as(town.volunteer).get(f"/epidemic/cases/{case.pk}/").status_code == 403
    # A department's account records cases, but moves no status it cannot see.
    school = page_as(town.department)
    assert school.post(f"/epidemic/cases/{case.pk}/status/", {
        "status": "recovered", "ended_on": days_ago(0), "reason": "出院"}).status_code == 403
    assert page_as(town.outsider).get(f"/epidemic/cases/{case.pk}/").status_code == 404


def test_the_list_filters_by_status_and_date(world_town, page_as):
    town = world_town.town
    confirmed(world_town)
    case_record(person=town.neighbour, status=CaseStatus.SUSPECTED, source="self",
                reported_on=days_ago(5), by=town.worker)
    case_record(person=town.in_c, status=CaseStatus.SUSPECTED, source="self",
                reported_on=days_ago(5), by=town.district)
    worker = page_as(town.worker)
    everything = text(worker.get("/epidemic/"))
    assert "张伟" in everything
    assert "王芳" in everything
    assert "孙八" not in everything
    suspected = text(worker.get("/epidemic/?status=suspected"))
    assert "王芳" in suspected
    assert "张伟" not in suspected
    recent = text(worker.get(f"/epidemic/?reported_from={days_ago(2)}"))
    assert "张伟" in recent
    assert "王芳" not in recent
    assert worker.get("/epidemic/?reported_from=nonsense&page=99").status_code == 200


def test_status_tests_tracing_and_contacts(world_town, page_as):
    town = world_town.town
    case = confirmed(world_town)
    worker = page_as(town.worker)
    path = f"/epidemic/cases/{case.pk}/"
    refused = worker.post(path + "status/", {"status": "suspected", "reason": "改"})
    assert refused.status_code == 422
    assert "cannot move from Confirmed to Suspected" in text(refused)
    assert worker.post(path + "tests/", {"kind": "pcr", "taken_on": days_ago(1),
                                         "positive": "1", "laboratory": "疾控"}).status_code == 302
    assert worker.post(path + "tests/", {"kind": "pcr", "taken_on": days_ago(-3),
                                         "positive": "1"}).status_code == 422
    traced = worker.post(path + "trace/", follow=True)
    assert "3 new contacts" in text(traced)  # the household and next door
    found = text(worker.get(path + "contacts/?q=周"))
    assert "周九" in found
    added = worker.post(path + "contacts/", {"person": world_town.other_unit.pk,
                                             "last_contact_on": days_ago(2), "note": "同事"})
    assert added.status_code == 302
    assert Exposure.objects.filter(case=case).count() == 4
    assert worker.post(path + "contacts/", {"person": town.in_c.pk,
                                            "last_contact_on": days_ago(2)}).status_code == 422
    onward = case_record(person=town.spouse, status=CaseStatus.SUSPECTED, source="tracing",
                         reported_on=days_ago(0), source_case=case, by=town.worker)
    page = text(worker.get(path))
    assert "Positive" in page
    assert "疾控" in page
    assert "李娜" in page
    assert "Same household" in page
    assert "Listed contact" in page
    assert f'href="/epidemic/cases/{onward.pk}/"' in page
    assert worker.post(path + "status/", {"status": "recovered", "confirmed_on": days_ago(1),
                                          "ended_on": days_ago(0), "onset_on": days_ago(3),
                                          "reason": "出院"}).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.RECOVERED
    assert "出院" in text(worker.get(path))  # the history's reason


def test_the_person_page_links_the_cases(world_town, page_as):
    town = world_town.town
    case = confirmed(world_town)
    page = text(page_as(town.worker).get(f"/people/{town.head.pk}/"))
    assert f"/epidemic/cases/{case.pk}/" in page
    assert f"/epidemic/persons/{town.head.pk}/case/" in page
    street = text(page_as(town.street).get(f"/people/{town.head.pk}/"))
    assert f"/epidemic/cases/{case.pk}/" in street
    assert f"/epidemic/persons/{town.head.pk}/case/" not in street


def test_a_venue_and_its_visits(world_town, page_as):
    town, venue = world_town.town, world_town.venue
    visit_record(venue=venue, person=town.head, arrived=at(1, 9), left=at(1, 10),
                 by=town.worker)
    worker = page_as(town.worker)
    assert venue.code in text(worker.get("/epidemic/venues/"))
    page = text(worker.get(f"/epidemic/venues/{venue.pk}/"))
    assert "张伟" in page
    assert LogEntry.objects.filter(target="venue visits", user_id=town.worker.pk).exists()
    assert page_as(town.outsider).get(f"/epidemic/venues/{venue.pk}/").status_code == 404
    assert venue.grid_code == GRID_A
