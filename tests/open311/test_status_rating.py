"""The resident's status page once the staff report back: what was done and the photos taken
after (nothing from the report itself, and nothing of a sensitive category), the rating it
asks for once closed (rate-limited like the reports), a resident's own reports on their home,
and the public timeline of a reopened report."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.events.test_photos import camera_jpeg
from tests.events.test_workflow import walk
from tests.factories import COMMUNITY_1, GRID_A, GRID_B, make_user
from tests.open311.test_privacy import filed
from wangge.events.models import Category, Event, EventRating, PhotoStage, State
from wangge.events.services import event_transition
from wangge.foundation.permissions import Role
from wangge.open311.models import PublicReport
from wangge.open311.selectors import resident_reports, resident_reports_to_rate

FEEDBACK = "已更换新井盖并恢复通行"


@pytest.fixture
def app() -> Client:
    return Client(headers={"Accept-Language": "en"})


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("p.jpg", camera_jpeg(), "image/jpeg")


def fed_back(loop, event: Event) -> Event:
    event = walk(loop, event, "accept", "dispatch", "start")
    return event_transition(event=event, name="feedback", by=loop.department,
                            comment=FEEDBACK, photos=[photo()])


def closed(loop, event: Event) -> Event:
    return walk(loop, fed_back(loop, event), "verify_close")


def status(app, event: Event) -> str:
    response = app.get(f"/report/ticket/{event.ticket}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_status_page_shows_what_was_done_with_the_photos_taken_after(public, app, media):
    event = filed(app, public, photos=[photo()])
    assert "What was done" not in status(app, event)
    event = fed_back(public.loop, event)
    page = status(app, event)
    assert FEEDBACK in page
    after = event.photos.get(stage=PhotoStage.AFTER)
    before = event.photos.get(stage=PhotoStage.REPORT)
    assert f"/report/ticket/{event.ticket}/photos/{after.pk}/" in page
    assert f"/photos/{before.pk}/" not in page
    shown = app.get(f"/report/ticket/{event.ticket}/photos/{after.pk}/")
    assert shown["Content-Type"] == "image/jpeg"
    assert b"HUAWEI" not in b"".join(shown.streaming_content)
    # The report's own photo (it may show a door, a face) is never served to the public.
    assert app.get(f"/report/ticket/{event.ticket}/photos/{before.pk}/").status_code == 404
    assert app.get(f"/report/ticket/NOSUCHTICKET/photos/{after.pk}/").status_code == 404
    assert "Are you satisfied" not in page  # not before it is closed


def test_nothing_is_shown_of_a_sensitive_categorys_result(public, app, media):
    event = fed_back(public.loop, filed(app, public))
    Event.objects.filter(pk=event.pk).update(category=Category.objects.get(code="fever"))
    page = status(app, event)
    assert FEEDBACK not in page
    after = event.photos.get(stage=PhotoStage.AFTER)
    assert app.get(f"/report/ticket/{event.ticket}/photos/{after.pk}/").status_code == 404


def test_a_closed_report_asks_for_a_rating_once(public, app, media):
    event = closed(public.loop, filed(app, public))
    page = status(app, event)
    assert 'id="rate"' in page
    response = app.post(f"/report/ticket/{event.ticket}/rate/",
                        {"satisfaction": "satisfied", "comment": "谢谢"}, follow=True)
    page = response.content.decode()
    assert "Thank you for your rating." in page
    assert "Rated: Satisfied. Thank you." in page
    assert 'id="rate"' not in page
    rating = EventRating.objects.get()
    assert (rating.source, rating.recorded_by, rating.reopened) == ("public", None, False)
    response = app.post(f"/report/ticket/{event.ticket}/rate/", {"satisfaction": "unsatisfied"},
                        follow=True)
    assert "This event has been rated since it was closed." in response.content.decode()
    assert EventRating.objects.count() == 1
    assert Event.objects.get(pk=event.pk).state == State.CLOSED


def test_not_satisfied_reopens_the_report_for_the_level_above(public, app, media):
    event = closed(public.loop, filed(app, public))
    response = app.post(f"/report/ticket/{event.ticket}/rate/",
                        {"satisfaction": "unsatisfied", "comment": "井盖还是松的"}, follow=True)
    page = response.content.decode()
    assert "the report is open again" in page
    assert "Opened again, for the level above" in page  # the public timeline says so
    event.refresh_from_db()
    assert (event.state, event.responsible_code) == (State.ACCEPTED, COMMUNITY_1)
    assert "井盖还是松的" not in page  # the resident's words are for the staff


def test_a_rating_is_refused_before_closing_and_without_a_choice(public, app, media):
    event = fed_back(public.loop, filed(app, public))
    response = app.post(f"/report/ticket/{event.ticket}/rate/", {"satisfaction": "satisfied"},
                        follow=True)
    assert "Only a closed event is rated." in response.content.decode()
    event = walk(public.loop, event, "verify_close")
    response = app.post(f"/report/ticket/{event.ticket}/rate/", {"comment": "x"})
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    assert app.get(f"/report/ticket/{event.ticket}/rate/").status_code == 405
    assert app.post("/report/ticket/NOSUCHTICKET/rate/", {"satisfaction": "satisfied"}
                    ).status_code == 404
    assert not EventRating.objects.exists()


def test_ratings_are_rate_limited_per_phone(public, app, media, settings):
    events = [closed(public.loop, filed(app, public, description=f"第{n}件"))
              for n in range(3)]
    settings.WANGGE_PUBLIC_REPORT_RATE = "2/h"  # ratings are counted apart from reports
    app.get(f"/report/{COMMUNITY_1}/")  # the phone has its random name, as once it opened it
    answers = [app.post(f"/report/ticket/{event.ticket}/rate/",
                        {"satisfaction": "satisfied"}).status_code for event in events]
    assert answers == [302, 302, 429]
    assert EventRating.objects.count() == 2


def test_a_signed_in_residents_reports_are_theirs(public, app, media):
    resident = make_user(Role.RESIDENT, GRID_A)
    app.force_login(resident)
    mine = filed(app, public)
    assert PublicReport.objects.get(event=mine).resident == resident
    other = Client(headers={"Accept-Language": "en"})
    other.force_login(make_user(Role.GRID_WORKER, GRID_B))
    theirs = filed(other, public)  # staff filing on the public page: nobody's report
    assert PublicReport.objects.get(event=theirs).resident is None
    assert list(resident_reports(resident)) == [mine]
    assert not resident_reports_to_rate(resident).exists()
    closed(public.loop, mine)
    assert list(resident_reports_to_rate(resident)) == [mine]
    page = app.get("/").content.decode()
    assert mine.ticket in page
    assert f"/report/ticket/{mine.ticket}/#rate" in page
    assert theirs.ticket not in page
