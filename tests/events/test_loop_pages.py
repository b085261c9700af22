"""The event pages without friction: the list's filters (and clear messages for a bad query,
never a 500), countdowns and names instead of codes; the event page's contact left by the
resident (masked by role, a full one logged), the usual handler preselected, the result with
photos, verify and close in one step, the follow-up call's rating."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.events.test_photos import camera_jpeg
from tests.events.test_workflow import walk
from tests.factories import COMMUNITY_1, GRID_A, GRID_C, centre_of, make_user
from wangge.auditlog.models import Entry, Kind
from wangge.events import workflow
from wangge.events.models import Channel, Event, PhotoStage, State
from wangge.events.services import dispatch_default_add, event_assign
from wangge.foundation.permissions import Role
from wangge.open311.services import public_report_file


def rows(page: str) -> list[str]:
    return re.findall(r'<tr class="[^"]*">(.*?)</tr>', page, re.S)


def test_the_list_filters_and_keeps_its_filters_in_tabs_and_pages(loop, page_as):
    loop.report(description="幸福路井盖缺失")
    accepted = walk(loop, loop.report(description="路灯不亮"), "accept")
    client = page_as(loop.worker)
    page = client.get(f"/events/?state=accepted&code={GRID_A}").content.decode()
    assert len(rows(page)) == 1
    assert accepted.number in page
    assert "民意一网格" in page  # the grid's name in the title and the rows, not its code
    assert f'?view=overdue&amp;state=accepted&amp;code={GRID_A}' in page
    assert "<details class=\"filters\" open>" in page
    page = client.get("/events/?q=幸福路&view=closed").content.decode()
    assert rows(page) == []
    page = client.get("/events/?q=幸福路").content.decode()
    assert len(rows(page)) == 1
    page = client.get(f"/events/?code={COMMUNITY_1}").content.decode()
    assert "<small>民意社区</small>" in page  # a division by its name too


def test_the_list_says_how_overdue_and_names_the_grid(loop, page_as):
    event = loop.report()
    Event.objects.filter(pk=event.pk).update(
        deadline=timezone.now() - datetime.timedelta(days=2, hours=3))
    page = page_as(loop.worker).get("/events/?view=overdue").content.decode()
    assert "overdue by 2 days" in page
    assert "民意一网格" in page
    assert f">{GRID_A}<" not in page


@pytest.mark.parametrize("query", [
    "code=12345", "code=abc", "view=everything", "state=lost", "category=abc",
    "category=99999999999999999999999", "channel=fax", "from=2024-13-01", "to=yesterday",
    "from=2024-05-02&to=2024-05-01", "q=" + "字" * 101, "from=0000-00-00",
    "category=-1", "page=abc", "page=99999999999999999999", "from=0001-01-01",
    "to=9999-12-31", "q=%00", "state=%00",
])
def test_a_bad_query_gets_a_clear_message_and_never_a_500(loop, page_as, query):
    loop.report()
    response = page_as(loop.worker).get(f"/events/?{query}")
    assert response.status_code == 200
    page = response.content.decode()
    if not query.startswith("page="):
        assert '<p class="error" role="alert">' in page, query


def test_messages_name_what_is_wrong(loop, page_as):
    page = page_as(loop.worker).get(
        "/events/?code=12345&view=all&channel=fax&from=2024-05-02&to=2024-05-01"
    ).content.decode()
    assert "“12345” is not a grid or division code" in page
    assert "“all” is not a list" in page
    assert "Channel: Select a valid choice. fax is not one of the available choices." in page
    assert "Reported until: The last day comes before the first." in page


def test_the_event_page_names_the_grid_the_level_and_people(loop, page_as):
    loop.worker.first_name = "李娜"
    loop.worker.save()
    event = loop.report()
    event_assign(event=event, assignee=loop.worker, by=loop.community)
    Event.objects.filter(pk=event.pk).update(responsible_code=COMMUNITY_1, escalations=1)
    page = page_as(loop.community).get(f"/events/{event.pk}/").content.decode()
    assert "民意一网格" in page
    assert "escalated to the Community: 民意社区" in page
    assert GRID_A not in re.sub(r'href="[^"]*"', "", page)
    timeline = page[page.index('<ol class="history timeline">'):]
    assert "李娜" in timeline
    assert loop.worker.username not in timeline  # the assignment names her, not her account


def public_event(loop, phone: str = "13912345678", email: str = "wang@example.com"):
    """A resident's report in grid A with the contact they left."""
    lon, lat = centre_of(GRID_A)
    return public_report_file(prefix=COMMUNITY_1, category=loop.category,
                              description="井盖缺失", longitude=lon, latitude=lat,
                              contact_name="王秀英", contact_phone=phone, contact_email=email)


def test_handlers_see_the_residents_contact_and_a_full_one_is_logged(loop, page_as):
    event = public_event(loop)
    page = page_as(loop.worker).get(f"/events/{event.pk}/").content.decode()
    assert 'href="tel:13912345678"' in page
    assert "王秀英" in page
    assert "wang@example.com" in page
    entry = Entry.objects.get(kind=Kind.VIEW, target="event contact")
    assert (entry.user, entry.fields, entry.record_ids) == (loop.worker, "phone", [event.pk])


def test_a_role_that_sees_phones_masked_sees_the_contact_masked_and_nothing_is_logged(
        loop, page_as):
    event = public_event(loop)
    page = page_as(loop.auditor).get(f"/events/{event.pk}/").content.decode()
    assert "139****5678" in page
    assert "13912345678" not in page
    assert "w***@example.com" in page
    assert "wang@example.com" not in page
    assert not Entry.objects.filter(target="event contact").exists()


def test_an_event_without_a_contact_shows_none(loop, page_as):
    event = loop.report()
    page = page_as(loop.worker).get(f"/events/{event.pk}/").content.decode()
    assert 'id="contact"' not in page
    assert not Entry.objects.filter(target="event contact").exists()


def test_dispatch_preselects_the_usual_handler(loop, page_as):
    dispatch_default_add(category=loop.category, organization=loop.police, by=loop.district)
    event = walk(loop, loop.report(), "accept")
    page = page_as(loop.worker).get(f"/events/{event.pk}/").content.decode()
    assert f'<option value="{loop.police.pk}" selected>' in page
    assert "江岸区公安分局 usually handles this kind of event" in page


def test_the_result_is_reported_with_photos_and_verified_and_closed_in_one_tap(
        loop, page_as, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    event = walk(loop, loop.report(channel=Channel.WEB), "accept", "dispatch", "start")
    department = page_as(loop.department)
    page = department.get(f"/events/{event.pk}/").content.decode()
    assert 'enctype="multipart/form-data"' in page
    department.post(f"/events/{event.pk}/transition/", {
        "action": "feedback", "comment": "已更换井盖",
        "photos": [SimpleUploadedFile("a.jpg", camera_jpeg(), "image/jpeg")]})
    event.refresh_from_db()
    assert event.state == State.FEEDBACK
    assert event.handler == loop.department
    after = event.photos.get(stage=PhotoStage.AFTER)
    worker = page_as(loop.worker)
    page = worker.get(f"/events/{event.pk}/").content.decode()
    assert f"/events/{event.pk}/photos/{after.pk}/" in page
    assert 'id="handler">police-desk<' in page
    # One tap for who may verify and close: the lone "verify" is not offered beside it.
    assert 'data-action="verify_close"' in page
    assert 'data-action="verify"' not in page
    response = worker.post(f"/events/{event.pk}/transition/", {"action": "verify_close",
                                                                "comment": "现场核实"})
    assert response.status_code == 302
    assert Event.objects.get(pk=event.pk).state == State.CLOSED
    # The table keeps both: the API and any role that verifies alone still have "verify".
    fed_back = walk(loop, loop.report(), "accept", "dispatch", "start", "feedback")
    assert {"verify", "verify_close"} <= {t.name for t in workflow.allowed(loop.worker,
                                                                           fed_back)}


def test_a_follow_up_calls_rating_is_recorded_on_the_event_page(loop, page_as):
    event = walk(loop, loop.report(), "accept", "dispatch", "start", "feedback",
                 "verify_close")
    client = page_as(loop.community)
    page = client.get(f"/events/{event.pk}/").content.decode()
    assert f'action="/events/{event.pk}/rate/"' in page
    response = client.post(f"/events/{event.pk}/rate/", {"satisfaction": "unsatisfied",
                                                         "comment": "电话回访：仍松动"},
                           follow=True)
    page = response.content.decode()
    assert "Rating recorded: the event is open again, one level up." in page
    assert "rated it:" in page
    assert "电话回访：仍松动" in page
    assert Event.objects.get(pk=event.pk).state == State.ACCEPTED
    # A role that does not close events is shown no form, and refused.
    department = page_as(loop.department)
    closed = walk(loop, loop.report(), "accept", "dispatch", "start", "feedback",
                  "verify_close")
    assert "/rate/" not in department.get(f"/events/{closed.pk}/").content.decode()
    response = department.post(f"/events/{closed.pk}/rate/", {"satisfaction": "satisfied"},
                               follow=True)
    assert "Your role may not do this." in response.content.decode()
    assert not closed.ratings.exists()


def test_a_rating_without_a_choice_is_refused_with_a_message(loop, page_as):
    event = walk(loop, loop.report(), "accept", "dispatch", "start", "feedback",
                 "verify_close")
    response = page_as(loop.worker).post(f"/events/{event.pk}/rate/", {}, follow=True)
    assert "This field is required." in response.content.decode()
    assert not event.ratings.exists()


def test_out_of_scope_is_404(loop, page_as):
    event = loop.report(grid=GRID_C, by=loop.outsider)
    client = page_as(make_user(Role.COMMUNITY_STAFF, COMMUNITY_1))
    assert client.get(f"/events/{event.pk}/").status_code == 404
    assert client.post(f"/events/{event.pk}/rate/", {"satisfaction": "satisfied"}
                       ).status_code == 404
