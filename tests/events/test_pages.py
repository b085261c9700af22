"""The event pages: lists per jurisdiction, the report form, the event page, the inbox."""

import re

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.events.test_photos import camera_jpeg
from tests.factories import GRID_A, GRID_C, SYSTEM, centre_of
from wangge.events.models import Event, State
from wangge.events.services import event_escalate_overdue, event_transition
from wangge.notifications.models import Notification, NotificationPreference


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    for url in ["/events/", "/events/new/", "/events/1/", "/inbox/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith("/login/?next=")


def test_the_list_shows_the_jurisdictions_open_overdue_and_escalated_events(loop, page_as):
    import datetime

    import time_machine

    start = datetime.datetime(2024, 5, 6, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        late = loop.report(priority="urgent", description="消防通道被占")
        fine = loop.report(description="路灯闪烁")
        clock.move_to(start + datetime.timedelta(hours=30))
        event_escalate_overdue(by=SYSTEM)
        client = page_as(loop.street)
        page = client.get("/events/").content.decode()
        assert late.number in page
        assert fine.number in page
        overdue = client.get("/events/?view=overdue").content.decode()
        assert late.number in overdue
        assert fine.number not in overdue
        assert overdue.count('<tr class="overdue">') == 1
        assert late.number not in client.get("/events/?view=closed").content.decode()
        escalated = client.get("/events/?view=escalated").content.decode()
        assert late.number in escalated
        assert fine.number not in escalated
        assert fine.number not in client.get(f"/events/?code={GRID_C}").content.decode()
    assert late.number not in page_as(loop.outsider).get("/events/").content.decode()


def test_roles_without_events_are_refused_the_list(loop, page_as):
    from tests.factories import make_user

    assert page_as(make_user("resident", GRID_A)).get("/events/").status_code == 403


def test_a_grid_worker_reports_with_a_photo(loop, page_as):
    client = page_as(loop.worker)
    form = client.get("/events/new/").content.decode()
    assert 'name="photos"' in form
    assert 'capture="environment"' in form
    lon, lat = centre_of(GRID_A)
    response = client.post("/events/new/", {
        "category": loop.category.pk, "priority": "high", "description": "井盖缺失",
        "longitude": lon, "latitude": lat,
        "photos": [SimpleUploadedFile("p.jpg", camera_jpeg(), "image/jpeg")],
    })
    event = Event.objects.get()
    assert response.status_code == 302
    assert response.url == f"/events/{event.pk}/"
    assert event.photos.count() == 1
    page = client.get(response.url).content.decode()
    assert f"Reported as {event.number}." in page
    photo_url = f"/events/{event.pk}/photos/{event.photos.get().pk}/"
    assert photo_url in page
    photo = client.get(photo_url)
    assert photo["Content-Type"] == "image/jpeg"
    assert b"HUAWEI" not in b"".join(photo.streaming_content)
    assert page_as(loop.outsider).get(photo_url).status_code == 404


def test_likely_duplicates_are_shown_before_filing(loop, page_as):
    existing = loop.report()
    client = page_as(loop.worker)
    lon, lat = centre_of(GRID_A)
    data = {"category": loop.category.pk, "priority": "normal", "description": "井盖没了",
            "longitude": lon, "latitude": lat + 0.0002}
    page = client.post("/events/new/", data).content.decode()
    assert existing.number in page
    assert "File it anyway" in page
    assert '<input type="hidden" name="confirmed" value="1">' in page
    assert Event.objects.count() == 1
    response = client.post("/events/new/", {**data, "confirmed": "1"})
    assert response.status_code == 302
    assert Event.objects.count() == 2


def test_a_report_form_with_mistakes_says_what_is_wrong(loop, page_as):
    lon, lat = centre_of(GRID_C)
    page = page_as(loop.worker).post("/events/new/", {
        "category": loop.category.pk, "priority": "normal", "description": "x",
        "longitude": lon, "latitude": lat}).content.decode()
    assert f"{GRID_C} is outside your jurisdiction." in page
    assert Event.objects.count() == 0


def test_the_event_page_offers_only_the_actions_the_user_may_take(loop, page_as):
    event = loop.report()
    worker_page = page_as(loop.worker).get(f"/events/{event.pk}/").content.decode()
    assert re.findall(r'data-action="(\w+)"', worker_page) == ["accept", "decline"]
    department_page = page_as(loop.department).get(f"/events/{event.pk}/").content.decode()
    assert re.findall(r'data-action="(\w+)"', department_page) == []
    assert page_as(loop.outsider).get(f"/events/{event.pk}/").status_code == 404


def test_actions_on_the_page_walk_the_loop_and_refusals_are_explained(loop, page_as):
    event = loop.report()
    worker, department = page_as(loop.worker), page_as(loop.department)
    url = f"/events/{event.pk}/transition/"
    worker.post(url, {"action": "accept"})
    page = worker.get(f"/events/{event.pk}/").content.decode()
    # A grid worker does not see the district's departments elsewhere, but may dispatch.
    assert f'<option value="{loop.police.pk}">江岸区公安分局' in page
    worker.post(url, {"action": "dispatch", "organization": loop.police.pk})
    department.post(url, {"action": "start"})
    response = department.post(url, {"action": "feedback"}, follow=True)
    assert "Say why (this is recorded with the event)." in response.content.decode()
    department.post(url, {"action": "feedback", "comment": "已更换"})
    worker.post(url, {"action": "verify"})
    response = worker.post(url, {"action": "close"}, follow=True)
    assert "is now Closed" in response.content.decode()
    event.refresh_from_db()
    assert event.state == State.CLOSED
    response = worker.post(url, {"action": "accept"}, follow=True)
    assert "“Accept” is not possible while the event is Closed." in response.content.decode()


def test_comments_assignment_and_merging_from_the_page(loop, page_as):
    first, second = loop.report(), loop.report()
    client = page_as(loop.community)
    client.post(f"/events/{first.pk}/comment/", {"text": "@police-desk 请看"})
    assert Notification.objects.filter(recipient=loop.department, kind="mention").exists()
    client.post(f"/events/{first.pk}/assign/", {"assignee": loop.worker.pk})
    first.refresh_from_db()
    assert first.assignee == loop.worker
    page = client.get(f"/events/{second.pk}/").content.decode()
    assert f"Merge this report into {first.number}" in page
    client.post(f"/events/{second.pk}/merge/", {"into": first.pk})
    second.refresh_from_db()
    assert (second.state, second.duplicate_of) == (State.MERGED, first)
    timeline = client.get(f"/events/{first.pk}/").content.decode()
    assert "merged a duplicate report into it" in timeline
    assert "@police-desk 请看" in timeline


def test_the_inbox_and_what_each_person_receives(loop, page_as):
    event = loop.report()
    client = page_as(loop.community)
    home = client.get("/inbox/").content.decode()
    assert f"New event {event.number}" in home
    assert '<span class="count"' in home
    client.post("/inbox/")
    assert not Notification.objects.filter(recipient=loop.community, read_at=None).exists()
    response = client.post("/inbox/preferences/", {
        "kinds_inbox": ["mention", "assigned"], "kinds_email": ["mention"],
        "webhook_url": "", "webhook_format": "wecom"})
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=loop.community)
    assert preference.kinds["inbox"] == ["assigned", "mention"]
    loop.report()
    assert Notification.objects.filter(recipient=loop.community).count() == 1


def test_a_finished_event_offers_nothing(loop, page_as):
    event = event_transition(event=loop.report(), name="decline", by=loop.worker,
                             comment="误报")
    page = page_as(loop.worker).get(f"/events/{event.pk}/").content.decode()
    assert "data-action" not in page
    assert "Assign to" not in page


def test_the_category_tree_is_configured_in_the_back_office(loop, page_as):
    admin = page_as(loop.district)
    page = admin.get("/admin/events/category/").content.decode()
    assert "井盖缺失或破损" in page
    response = admin.post(f"/admin/events/category/{loop.category.pk}/change/", {
        "code": "manhole-cover", "name": "井盖缺失或破损", "parent": loop.category.parent_id,
        "hours_urgent": 12, "hours_high": 48, "hours_normal": 120, "position": 0,
        "active": "on", "reason": "区里要求缩短时限"})
    assert response.status_code == 302
    loop.category.refresh_from_db()
    assert loop.category.hours_urgent == 12
    latest = loop.category.history.latest()
    assert latest.history_user == loop.district
    assert latest.history_change_reason == "区里要求缩短时限"
    assert page_as(loop.community).get("/admin/events/category/").status_code == 403
