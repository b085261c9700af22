"""The events API: report, list with filters, timeline, transitions, collaboration, inbox."""

import datetime
from pathlib import Path

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.events.test_photos import camera_jpeg
from tests.factories import GRID_A, GRID_C, SYSTEM, centre_of
from wangge.events.models import Category
from wangge.events.services import event_escalate_overdue


def report_body(loop, **fields):
    lon, lat = centre_of(GRID_A)
    return {"category_id": loop.category.pk, "description": "井盖缺失", "longitude": lon,
            "latitude": lat, **fields}


def test_categories_are_a_tree_with_deadlines(loop, api_of):
    categories = api_of(loop.worker).get("/event-categories").json()
    by_code = {c["code"]: c for c in categories}
    assert {"public-facilities", "environment", "safety-hazards", "disputes", "help-needed",
            "epidemic-prevention"} <= set(by_code)
    assert by_code["manhole-cover"]["parent_id"] == by_code["public-facilities"]["id"]
    assert by_code["fever"]["hours_urgent"] == 2


def test_a_report_answers_with_its_timeline_and_likely_duplicates(loop, api_of):
    api = api_of(loop.worker)
    first = api.post("/events", report_body(loop))
    assert first.status_code == 201, first.content
    assert first.json()["likely_duplicates"] == []
    second = api.post("/events", report_body(loop, priority="urgent")).json()
    assert second["number"].startswith("SJ")
    assert second["grid_code"] == GRID_A
    assert second["channel"] == "api"
    assert second["state"] == "reported"
    assert second["likely_duplicates"] == [
        {"id": first.json()["id"], "number": first.json()["number"], "metres": 0}]
    assert second["actions"] == ["accept", "decline", "merge"]
    assert [entry["action"] for entry in second["timeline"]] == ["report"]
    assert second["timeline"][0]["actor"] == "worker-a"


def test_a_report_is_refused_with_reasons_by_field(loop, api_of):
    api = api_of(loop.worker)
    lon, lat = centre_of(GRID_C)
    response = api.post("/events", report_body(loop, longitude=lon, latitude=lat))
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "longitude": [f"{GRID_C} is outside your jurisdiction."]}
    response = api.post("/events", report_body(loop, category_id=999999))
    assert response.json()["errors"] == {"category_id": ["There is no such category."]}
    response = api.post("/events", report_body(loop, building_id=999999))
    assert response.status_code == 422
    assert "building_id" in response.json()["errors"]


def test_the_loop_through_the_api(loop, api_of):
    worker, department = api_of(loop.worker), api_of(loop.department)
    event = worker.post("/events", report_body(loop)).json()
    path = f"/events/{event['id']}/transitions"
    assert worker.post(path, {"action": "accept"}).json()["state"] == "accepted"
    deadline = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=2)).isoformat()
    dispatched = worker.post(path, {"action": "dispatch", "organization_id": loop.police.pk,
                                    "deadline": deadline}).json()
    assert dispatched.get("organization_id") == loop.police.pk, dispatched
    assert department.get(f"/events/{event['id']}").json()["actions"] == ["start", "return"]
    assert department.post(path, {"action": "start"}).json()["state"] == "handling"
    response = department.post(path, {"action": "feedback"})
    assert response.status_code == 422
    assert response.json()["errors"] == {"comment": ["Say why (this is recorded with the "
                                                     "event)."]}
    department.post(path, {"action": "feedback", "comment": "已更换井盖"})
    worker.post(path, {"action": "verify", "comment": "现场核实"})
    closed = worker.post(path, {"action": "close"}).json()
    assert closed["state"] == "closed"
    assert closed["actions"] == []
    assert [(e["action"], e["target"]) for e in closed["timeline"]] == [
        ("report", "reported"), ("accept", "accepted"), ("dispatch", "dispatched"),
        ("start", "handling"), ("feedback", "feedback"), ("verify", "verified"),
        ("close", "closed")]
    assert closed["timeline"][4]["text"] == "已更换井盖"


def test_illegal_transitions_are_refused_with_a_clear_message(loop, api_of):
    event = loop.report()
    path = f"/events/{event.pk}/transitions"
    response = api_of(loop.worker).post(path, {"action": "close"})
    assert response.status_code == 422
    assert response.json()["message"] == "“Close” is not possible while the event is Reported."
    response = api_of(loop.department).post(path, {"action": "accept"})
    assert response.status_code == 403
    assert response.json()["message"] == "Your role may not do this: Accept."
    assert api_of(loop.outsider).post(path, {"action": "accept"}).status_code == 404


def test_a_dispatch_to_an_unknown_organization_names_the_field(loop, api_of):
    event = loop.report()
    api = api_of(loop.worker)
    api.post(f"/events/{event.pk}/transitions", {"action": "accept"})
    response = api.post(f"/events/{event.pk}/transitions",
                        {"action": "dispatch", "organization_id": 999999})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["organization_id"]


def test_lists_filter_by_state_category_overdue_and_escalated(loop, api_of):
    start = datetime.datetime(2024, 5, 6, 9, 0, tzinfo=datetime.UTC)
    garbage = Category.objects.get(code="garbage")
    with time_machine.travel(start, tick=False) as clock:
        late = loop.report(priority="urgent")
        other = loop.report(category=garbage)
        clock.move_to(start + datetime.timedelta(hours=30))
        event_escalate_overdue(by=SYSTEM)
        api = api_of(loop.street)

        def ids(**query) -> list[int]:
            return [item["id"] for item in api.get("/events", query).json()["items"]]

        assert set(ids()) == {late.pk, other.pk}
        assert ids(overdue="true") == [late.pk]
        assert ids(escalated="true") == [late.pk]
        assert ids(category_id=garbage.parent_id) == [other.pk]
        assert ids(state="accepted") == []
        assert set(ids(code=GRID_A)) == {late.pk, other.pk}
        assert ids(code=GRID_C) == []
        assert api_of(loop.outsider).get("/events").json()["count"] == 0


def test_the_overdue_list_puts_the_soonest_deadline_first_like_the_pages(loop, api_of):
    start = datetime.datetime(2024, 5, 6, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        sooner = loop.report(priority="urgent")
        clock.move_to(start + datetime.timedelta(hours=1))
        later = loop.report(priority="normal")
        assert sooner.deadline < later.deadline
        clock.move_to(start + datetime.timedelta(days=60))
        items = api_of(loop.street).get("/events", {"overdue": "true"}).json()["items"]
        assert [item["id"] for item in items] == [sooner.pk, later.pk]
        assert all(item["overdue"] for item in items)


def send_photos(api, event_id: int, *contents: bytes):
    uploads = [SimpleUploadedFile(f"IMG_{n}.jpg", content, "image/jpeg")
               for n, content in enumerate(contents)]
    return api.client.post(f"/api/v1/events/{event_id}/photos", {"photos": uploads},
                           headers=api.headers)


def test_photos_are_attached_through_the_api_without_their_exif(loop, api_of, client):
    event = loop.report()
    response = send_photos(api_of(loop.worker), event.pk, camera_jpeg(), camera_jpeg())
    assert response.status_code == 201, response.content
    photos = response.json()
    assert [(p["width"], p["height"], p["content_type"]) for p in photos] == [
        (40, 20, "image/jpeg")] * 2
    for photo in event.photos.all():
        stored = Path(photo.image.path).read_bytes()
        assert b"HUAWEI" not in stored
        assert b"Exif" not in stored
    detail = api_of(loop.worker).get(f"/events/{event.pk}").json()
    assert sorted(detail["photos"]) == sorted(p["url"] for p in photos)
    client.force_login(loop.worker)
    assert client.get(photos[0]["url"]).status_code == 200


def test_a_bad_photo_through_the_api_is_a_clear_422_and_nothing_is_kept(loop, api_of,
                                                                      settings):
    event = loop.report()
    api = api_of(loop.worker)
    response = send_photos(api, event.pk, camera_jpeg(), b"not a picture")
    assert response.status_code == 422
    assert response.json()["errors"] == {"photos": ["This file is not a photo we can read."]}
    settings.WANGGE_PHOTO_MAX_BYTES = 1000
    response = send_photos(api, event.pk, camera_jpeg() + b"\0" * 1000)
    assert response.status_code == 422
    assert response.json()["errors"] == {"photos": ["A photo may be at most 1000\xa0bytes."]}
    assert event.photos.count() == 0
    assert [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()] == []


def test_photos_through_the_api_only_in_scope_by_those_who_may_comment(loop, api_of):
    event = loop.report()
    assert send_photos(api_of(loop.outsider), event.pk, camera_jpeg()).status_code == 404
    assert send_photos(api_of(loop.auditor), event.pk, camera_jpeg()).status_code == 403
    assert send_photos(api_of(loop.department), event.pk, camera_jpeg()).status_code == 201


def test_comment_assign_and_merge(loop, api_of):
    api = api_of(loop.community)
    first, second = loop.report(), loop.report()
    comment = api.post(f"/events/{first.pk}/comments", {"text": "@police-desk 请协助"})
    assert comment.status_code == 201
    assert comment.json()["mentioned"] == ["police-desk"]
    assigned = api.post(f"/events/{first.pk}/assign", {"assignee_id": loop.worker.pk})
    assert assigned.json()["assignee_id"] == loop.worker.pk
    refused = api.post(f"/events/{first.pk}/assign", {"assignee_id": loop.outsider.pk})
    assert refused.status_code == 422
    assert refused.json()["errors"] == {"assignee_id": ["This person cannot handle events "
                                                        "in this grid."]}
    merged = api.post(f"/events/{second.pk}/merge", {"into_id": first.pk}).json()
    assert (merged["state"], merged["duplicate_of_id"]) == ("merged", first.pk)
    timeline = api.get(f"/events/{first.pk}").json()["timeline"]
    assert [entry["kind"] for entry in timeline] == ["transition", "comment", "transition",
                                                     "transition"]


def test_the_inbox_lists_and_marks_read(loop, api_of):
    api = api_of(loop.community)
    event = loop.report()
    inbox = api.get("/inbox").json()
    assert inbox["count"] == 1
    item = inbox["items"][0]
    assert (item["kind"], item["event_id"], item["read_at"]) == ("reported", event.pk, None)
    assert item["text"] == f"New event {event.number} (井盖缺失或破损) in your area."
    assert api.post("/inbox/read", {"ids": [item["id"]]}).json() == {"marked": 1}
    assert api.get("/inbox", {"unread": "true"}).json()["count"] == 0
    assert api_of(loop.worker).get("/inbox").json()["count"] == 0  # only one's own
