"""The events API without friction: the list's filters as on the page, the handler, the
resident's contact (masked by role, a full one logged), photos after handling, verify and
close in one step, and the follow-up call's rating; each as its OpenAPI document says."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.events.test_loop_pages import public_event
from tests.events.test_photos import camera_jpeg
from tests.events.test_workflow import walk
from tests.factories import COMMUNITY_1, GRID_C
from wangge.auditlog.models import Entry
from wangge.events.models import Channel, Event, PhotoStage, State
from wangge.events.tally import tally_rebuild


def test_the_list_takes_the_pages_filters(loop, api_of):
    manhole = loop.report(description="幸福路井盖缺失")
    accepted = walk(loop, loop.report(description="路灯不亮"), "accept")
    public = public_event(loop)
    Event.objects.filter(pk=manhole.pk).update(
        reported_at=timezone.now() - datetime.timedelta(days=3))
    tally_rebuild()  # an update behind the services' back
    api = api_of(loop.worker)

    def found(**params) -> list[int]:
        response = api.get("/events", params)
        assert response.status_code == 200, response.content
        return sorted(item["id"] for item in response.json()["items"])

    today = timezone.localdate()
    assert found(state="accepted") == [accepted.pk]
    assert found(channel="public") == [public.pk]
    assert found(q="幸福路") == [manhole.pk]
    assert found(q=manhole.number) == [manhole.pk]
    assert found(**{"from": today.isoformat()}) == sorted([accepted.pk, public.pk])
    assert found(to=(today - datetime.timedelta(days=3)).isoformat()) == [manhole.pk]
    assert found(category_id=loop.category.parent_id, q="路灯") == [accepted.pk]


@pytest.mark.parametrize(("params", "field"), [
    ({"from": "2024-13-01"}, "from"), ({"to": "tomorrow"}, "to"), ({"channel": "fax"}, "channel"),
    ({"from": "2024-05-02", "to": "2024-05-01"}, "to"), ({"q": "字" * 101}, "q"),
    ({"from": "0001-01-01"}, "from"), ({"to": "9999-12-31"}, "to"),
])
def test_a_bad_filter_is_a_422_naming_it(loop, api_of, params, field):
    response = api_of(loop.worker).get("/events", params)
    assert response.status_code == 422
    assert field in response.json()["errors"]


def test_an_event_names_its_handler_and_its_timeline_people(loop, api_of):
    loop.department.first_name = "周强"
    loop.department.save()
    event = walk(loop, loop.report(), "accept", "dispatch", "start")
    detail = api_of(loop.worker).get(f"/events/{event.pk}").json()
    assert (detail["handler_id"], detail["handler"]) == (loop.department.pk, "周强")
    start = detail["timeline"][-1]
    assert (start["actor"], start["actor_name"]) == ("police-desk", "周强")
    assert detail["contact"] is None
    assert detail["rating_open"] is False


def test_the_residents_contact_is_masked_by_role_and_a_full_one_is_logged(
        loop, api_of):
    event = public_event(loop)
    shown = api_of(loop.worker).get(f"/events/{event.pk}").json()["contact"]
    assert shown == {"name": "王秀英", "phone": "13912345678", "email": "wang@example.com"}
    assert Entry.objects.filter(target="event contact", user=loop.worker,
                                record_ids=[event.pk]).count() == 1
    shown = api_of(loop.auditor).get(f"/events/{event.pk}").json()["contact"]
    assert shown == {"name": "王秀英", "phone": "139****5678", "email": "w***@example.com"}
    assert not Entry.objects.filter(target="event contact", user=loop.auditor).exists()


def test_photos_after_handling_and_verify_and_close_in_one_step(loop, api_of, tmp_path,
                                                                 settings):
    settings.MEDIA_ROOT = tmp_path
    event = walk(loop, loop.report(), "accept", "dispatch", "start", "feedback")
    api = api_of(loop.department)
    response = api.client.post(
        f"/api/v1/events/{event.pk}/photos?stage=after",
        {"photos": [SimpleUploadedFile("a.jpg", camera_jpeg(), "image/jpeg")]},
        headers=api.headers)
    assert response.status_code == 201, response.content
    assert response.json()[0]["stage"] == "after"
    assert event.photos.get().stage == PhotoStage.AFTER
    worker = api_of(loop.worker)
    assert "verify_close" in worker.get(f"/events/{event.pk}").json()["actions"]
    closed = worker.post(f"/events/{event.pk}/transitions", {"action": "verify_close",
                                                             "comment": "现场核实"})
    assert closed.status_code == 200, closed.content
    body = closed.json()
    assert body["state"] == "closed"
    assert [entry["action"] for entry in body["timeline"]][-2:] == ["verify", "close"]
    assert body["rating_open"] is True


def test_a_follow_up_calls_rating(loop, api_of):
    event = walk(loop, loop.report(), "accept", "dispatch", "start", "feedback",
                 "verify_close")
    api = api_of(loop.community)
    response = api.post(f"/events/{event.pk}/ratings", {"satisfaction": "unsatisfied",
                                                         "comment": "仍松动"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["state"], body["responsible_code"], body["escalations"]) == (
        "accepted", COMMUNITY_1, 1)
    rating = [entry for entry in body["timeline"] if entry["kind"] == "rating"]
    assert [(r["target"], r["source"], r["text"]) for r in rating] == [
        ("unsatisfied", "call", "仍松动")]
    again = api.post(f"/events/{event.pk}/ratings", {"satisfaction": "satisfied"})
    assert again.status_code == 422
    assert again.json()["message"] == "Only a closed event is rated."
    assert api.post(f"/events/{event.pk}/ratings", {"satisfaction": "delighted"}
                    ).status_code == 422
    department = api_of(loop.department)
    assert department.post(f"/events/{event.pk}/ratings", {"satisfaction": "satisfied"}
                           ).status_code == 403
    outside = loop.report(grid=GRID_C, by=loop.outsider)
    assert api.post(f"/events/{outside.pk}/ratings", {"satisfaction": "satisfied"}
                    ).status_code == 404
    assert Event.objects.get(pk=event.pk).state == State.ACCEPTED


def test_the_document_describes_the_filters_and_the_rating(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    listed = {parameter["name"] for parameter in paths["/api/v1/events"]["get"]["parameters"]}
    assert {"state", "category_id", "channel", "from", "to", "q", "code"} <= listed
    rating = paths["/api/v1/events/{id}/ratings"]["post"]
    assert {"201", "401", "403", "404", "422"} <= set(rating["responses"])
    photos = {p["name"] for p in paths["/api/v1/events/{id}/photos"]["post"]["parameters"]}
    assert "stage" in photos
    assert Channel.PUBLIC in client.get("/api/v1/openapi.json").json()["components"][
        "schemas"]["Channel"]["enum"]
