"""A resident's requests (诉求): filed as events of their own grid with the category's
deadline, seen by them alone, answered through the loop, rated when closed; an unsatisfied
first rating reopens it one level up, a second opens nothing. The pages and their words."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from tests.events.test_photos import camera_jpeg
from tests.factories import COMMUNITY_1, GRID_A, make_user
from wangge.events.models import Category, Channel, Event, PhotoStage, RatingSource, State
from wangge.events.photos import photos_add
from wangge.events.selectors import event_tasks
from wangge.events.services import event_transition
from wangge.foundation.permissions import Role
from wangge.notifications.delivery import describe
from wangge.notifications.models import Notification
from wangge.residents.models import ResidentRequest
from wangge.residents.services import OPEN_REQUESTS, REQUEST_CHARACTERS

from .requests_world import ANSWER, answer_and_close, ask, make_requests, rate

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2024, 5, 6, 1, 0, tzinfo=datetime.UTC)


@pytest.fixture
def world(db):
    return make_requests()


def test_a_request_is_an_event_of_the_residents_grid_with_the_categorys_deadline(world):
    with time_machine.travel(NOW, tick=False):
        filed = ask(world.resident, "小区门口的路灯不亮", kind="need")
    event = filed.event
    category = Category.objects.get(code="resident-need")
    assert (filed.person, filed.kind, filed.grid_code) == (world.person, "need", GRID_A)
    assert (event.category, event.grid_code, event.channel, event.description) == (
        category, GRID_A, Channel.PUBLIC, "小区门口的路灯不亮")
    assert event.dwelling == world.person.dwelling
    # The shipped category: 120 hours at normal priority, the deadline and escalation time.
    assert category.hours_normal == 120
    assert event.deadline == NOW + datetime.timedelta(hours=120)
    assert event.escalate_after == event.deadline
    assert event.reporter is None  # the resident's page acting for them, as a system actor
    assert category.is_sensitive  # never on a public page or Open311
    # Each kind has its own category under the residents' requests.
    others = [ask(world.resident, kind=kind).event for kind in ("question", "complaint")]
    assert {other.category.code for other in others} == {"resident-question",
                                                         "resident-complaint"}
    # On the grid worker's to-do list as any event to accept (the first is overdue by now).
    assert set(event_tasks(world.loop.worker)["to_accept"]) == set(others)
    assert event in event_tasks(world.loop.worker)["overdue"]


def test_filing_is_bounded(world):
    with pytest.raises(ValidationError) as refused:
        ask(world.resident, "x" * (REQUEST_CHARACTERS + 1))
    assert "text" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        ask(world.resident, "   ")
    assert "text" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        ask(world.resident, kind="praise")
    assert "kind" in refused.value.message_dict
    assert ask(world.resident, "x" * REQUEST_CHARACTERS).event.description == (
        "x" * REQUEST_CHARACTERS)
    for _ in range(OPEN_REQUESTS - 1):
        ask(world.resident)
    with pytest.raises(ValidationError) as refused:
        ask(world.resident)
    assert "open already" in refused.value.message_dict["text"][0]
    # Another resident has their own bound; a finished request no longer counts.
    ask(world.neighbour)
    answer_and_close(world, ResidentRequest.objects.filter(person=world.person).first(),
                     world.loop.police)
    ask(world.resident)
    assert ResidentRequest.objects.filter(person=world.person).count() == OPEN_REQUESTS + 1


def test_only_a_linked_resident_files_or_rates(world):
    unlinked = make_user(Role.RESIDENT, GRID_A)
    with pytest.raises(PermissionDenied):
        ask(unlinked)
    with pytest.raises(PermissionDenied):
        ask(world.loop.worker)
    filed = ask(world.resident)
    answer_and_close(world, filed, world.loop.police)
    with pytest.raises(PermissionDenied):
        rate(world.neighbour, filed, "satisfied")
    assert not filed.event.ratings.exists()


def test_a_rating_only_on_a_closed_request_once_per_closing(world):
    filed = ask(world.resident)
    with pytest.raises(ValidationError) as refused:
        rate(world.resident, filed, "satisfied")
    assert refused.value.code == "state"
    answer_and_close(world, filed, world.loop.police)
    rating = rate(world.resident, filed, "satisfied", "很快")
    assert (rating.satisfaction, rating.comment, rating.source, rating.reopened) == (
        "satisfied", "很快", RatingSource.RESIDENT, False)
    assert (rating.grid_code, rating.organization) == (GRID_A, world.loop.police)
    with pytest.raises(ValidationError) as refused:
        rate(world.resident, filed, "unsatisfied")
    assert refused.value.code == "rated"
    with pytest.raises(ValidationError) as refused:
        rate(world.resident, filed, "so-so")
    assert "satisfaction" in refused.value.message_dict


def test_unsatisfied_reopens_once_at_the_level_above(world):
    filed = ask(world.resident)
    answer_and_close(world, filed, world.loop.police)
    first = rate(world.resident, filed, "unsatisfied", "灯还是不亮")
    event = Event.objects.get(pk=filed.event_id)
    assert first.reopened
    assert (event.state, event.responsible_code, event.escalations) == (
        State.ACCEPTED, COMMUNITY_1, 1)
    assert event.organization is None  # to be dispatched again
    # The rating keeps who handled what was rated, though the event's is cleared.
    assert first.organization == world.loop.police
    filed.refresh_from_db()
    answer_and_close(world, filed, world.city, triage=world.loop.community)
    second = rate(world.resident, filed, "unsatisfied", "还是不满意")
    event.refresh_from_db()
    assert not second.reopened
    assert event.state == State.CLOSED
    assert second.organization == world.city
    assert list(event.ratings.values_list("satisfaction", "reopened")) == [
        ("unsatisfied", True), ("unsatisfied", False)]


def test_the_resident_hears_in_their_inbox_when_their_request_is_answered_or_closed(world):
    filed = ask(world.resident)
    declined = ask(world.resident, "想问问垃圾分类的时间", kind="question")
    event = Event.objects.get(pk=filed.event_id)
    event_transition(event=event, name="accept", by=world.loop.worker)
    event_transition(event=event, name="dispatch", by=world.loop.worker,
                     organization=world.loop.police)
    event_transition(event=event, name="start", by=world.loop.department)
    assert not Notification.objects.filter(recipient=world.resident).exists()
    event_transition(event=Event.objects.get(pk=event.pk), name="feedback",
                     by=world.loop.department, comment=ANSWER)
    event_transition(event=Event.objects.get(pk=event.pk), name="verify_close",
                     by=world.loop.worker)
    event_transition(event=Event.objects.get(pk=declined.event_id), name="decline",
                     by=world.loop.worker, comment="不属于诉求")
    lines = Notification.objects.filter(recipient=world.resident).order_by("pk")
    asked = f"{timezone.localdate(filed.created):%Y-%m-%d}"
    with translation.override("en"):
        assert [(n.kind, describe(n), n.link) for n in lines] == [
            ("answer", f"Your request of {asked} has an answer.",
             f"/me/requests/{filed.pk}/"),
            ("answer", f"Your request of {asked} is closed: say whether the answer satisfied "
                       "you.", f"/me/requests/{filed.pk}/"),
            ("answer", f"Your request of {asked} was not taken up.",
             f"/me/requests/{declined.pk}/")]
    # Nobody else's inbox hears of it, and events that are not requests tell no resident.
    assert not Notification.objects.filter(recipient=world.neighbour).exists()


def test_photos_with_a_request_bounded_and_seen_by_the_resident_and_staff(world, page_as,
                                                                          settings):
    settings.WANGGE_PUBLIC_MAX_PHOTOS = 2
    page = page_as(world.resident)
    assert 'enctype="multipart/form-data"' in page.get("/me/requests/new/").content.decode()

    def photo(name: str = "IMG_0001.jpg", content: bytes | None = None) -> SimpleUploadedFile:
        return SimpleUploadedFile(name, content or camera_jpeg(), content_type="image/jpeg")

    three = page.post("/me/requests/new/", {"kind": "need", "text": "屋顶漏水",
                                            "photos": [photo(), photo(), photo()]})
    assert "Send at most 2 photos." in three.content.decode()
    text = page.post("/me/requests/new/", {"kind": "need", "text": "屋顶漏水",
                                           "photos": [photo("note.jpg", b"not a photo")]})
    assert "This file is not a photo we can read." in text.content.decode()
    assert not ResidentRequest.objects.exists()
    page.post("/me/requests/new/", {"kind": "need", "text": "屋顶漏水", "photos": [photo()]})
    filed = ResidentRequest.objects.get()
    sent = filed.event.photos.get()
    assert (sent.stage, sent.uploaded_by) == ("report", None)
    assert b"HUAWEI" not in sent.image.read()  # re-encoded without the camera's details
    # Staff see it on the event; a photo staff add later is not the resident's to see, the
    # result's photos are.
    staff = page_as(world.loop.worker)
    assert staff.get(f"/events/{filed.event_id}/photos/{sent.pk}/").status_code == 200
    internal = photos_add(event=filed.event, uploads=[photo()], by=world.loop.worker)[0]
    answer_and_close(world, filed, world.loop.police)
    result = photos_add(event=filed.event, uploads=[photo()], by=world.loop.department,
                        stage=PhotoStage.AFTER)[0]
    shown = page.get(f"/me/requests/{filed.pk}/").content.decode()
    for seen in (sent, result):
        assert f"/me/requests/{filed.pk}/photos/{seen.pk}/" in shown
        assert page.get(f"/me/requests/{filed.pk}/photos/{seen.pk}/").status_code == 200
    assert f"/photos/{internal.pk}/" not in shown
    assert page.get(f"/me/requests/{filed.pk}/photos/{internal.pk}/").status_code == 404
    # Another resident sees none of it.
    neighbour = page_as(world.neighbour)
    assert neighbour.get(f"/me/requests/{filed.pk}/photos/{sent.pk}/").status_code == 404


def test_a_request_body_over_the_limit_is_refused_before_it_is_read(world, page_as,
                                                                    settings):
    settings.WANGGE_PUBLIC_MAX_PHOTOS = 1
    settings.WANGGE_PHOTO_MAX_BYTES = 1000
    big = SimpleUploadedFile("big.jpg", b"x" * (2 * 2**20), content_type="image/jpeg")
    response = page_as(world.resident).post("/me/requests/new/", {
        "kind": "need", "text": "屋顶漏水", "photos": [big]})
    assert response.status_code == 413
    assert "too much to send at once" in response.content.decode()
    assert not ResidentRequest.objects.exists()


def test_the_pages_of_a_residents_requests(world, page_as):
    page = page_as(world.resident)
    assert "/me/requests/" in page.get("/me/").content.decode()
    assert page.get("/me/requests/new/").status_code == 200
    refused = page.post("/me/requests/new/", {"kind": "complaint", "text": ""})
    assert refused.status_code == 400
    assert not ResidentRequest.objects.exists()
    sent = page.post("/me/requests/new/", {"kind": "complaint", "text": "楼道灯坏了一个月"})
    filed = ResidentRequest.objects.get()
    assert sent.status_code == 302
    assert sent.url == f"/me/requests/{filed.pk}/"
    listed = page.get("/me/requests/").content.decode()
    assert filed.event.number in listed
    assert "A complaint" in listed
    assert "Received" in listed
    assert "Answer due by" in listed
    shown = page.get(f"/me/requests/{filed.pk}/").content.decode()
    assert "楼道灯坏了一个月" in shown
    assert "No answer yet." in shown
    assert "Rate the answer" not in shown
    # Answered: the result reported back, never staff's names, comments or organization.
    from wangge.events.services import event_comment
    event_comment(event=filed.event, text="内部：先别回复", by=world.loop.worker)
    answer_and_close(world, filed, world.loop.police)
    shown = page.get(f"/me/requests/{filed.pk}/").content.decode()
    assert ANSWER in shown
    assert "Closed" in shown
    for internal in ("内部：先别回复", world.loop.department.username, "police-desk",
                     world.loop.police.name, "worker-a"):
        assert internal not in shown
    assert "Rate the answer" in shown
    assert "Please rate the answer" in page.get("/me/requests/").content.decode()
    rated = page.post(f"/me/requests/{filed.pk}/rate/",
                      {"satisfaction": "unsatisfied", "comment": "灯还是不亮"}, follow=True)
    shown = rated.content.decode()
    assert "the level above will answer it" in shown
    assert 'id="reopened"' in shown
    assert "灯还是不亮" in shown
    assert "Rate the answer" not in shown
    # Rated again before it is closed again: refused with a message, nothing recorded.
    again = page.post(f"/me/requests/{filed.pk}/rate/", {"satisfaction": "satisfied"},
                      follow=True)
    assert "Only a closed event is rated." in again.content.decode()
    assert filed.event.ratings.count() == 1
    # The second closing is rated again and reopens nothing; the page says nothing of it.
    filed.refresh_from_db()
    answer_and_close(world, filed, world.city, triage=world.loop.community)
    shown = page.get(f"/me/requests/{filed.pk}/").content.decode()
    assert "is opened again once" not in shown
    done = page.post(f"/me/requests/{filed.pk}/rate/", {"satisfaction": "unsatisfied"},
                     follow=True).content.decode()
    assert "Thank you for your rating." in done
    assert Event.objects.get(pk=filed.event_id).state == State.CLOSED


def test_a_resident_sees_only_their_own_requests(world, page_as):
    filed = ask(world.resident)
    other = page_as(world.neighbour)
    assert other.get(f"/me/requests/{filed.pk}/").status_code == 404
    assert other.post(f"/me/requests/{filed.pk}/rate/",
                      {"satisfaction": "satisfied"}).status_code == 404
    assert filed.event.number not in other.get("/me/requests/").content.decode()
    own = page_as(world.resident)
    for huge in (2**63, 2**64, 10**30):
        assert own.get(f"/me/requests/{huge}/").status_code == 404
        assert own.post(f"/me/requests/{huge}/rate/", {}).status_code == 404
    assert own.get("/me/requests/999999/").status_code == 404
    # Staff have no "my requests"; a resident's account linked to no one is told so.
    assert page_as(world.loop.worker).get("/me/requests/").status_code == 403
    unlinked = page_as(make_user(Role.RESIDENT, GRID_A))
    assert "not linked" in unlinked.get("/me/requests/").content.decode()
    assert "not linked" in unlinked.get("/me/requests/new/").content.decode()


def test_not_signed_in_goes_to_the_sign_in(client):
    for path in ("/me/requests/", "/me/requests/new/", "/me/requests/1/"):
        answer = client.get(path)
        assert answer.status_code == 302
        assert "login" in answer.url or "sign-in" in answer.url


def test_the_staff_event_page_says_whose_request_and_shows_its_ratings(world, page_as):
    filed = ask(world.resident, "噪音扰民")
    worker = page_as(world.loop.worker)
    page = worker.get(f"/events/{filed.event_id}/").content.decode()
    assert "居民投诉" in page  # the category: a resident's complaint
    assert "A complaint from a resident: 王芳&#x27;s record" in page
    assert f"/people/{world.person.pk}/" in page
    answer_and_close(world, filed, world.loop.police)
    rate(world.resident, filed, "basically", "还行")
    page = worker.get(f"/events/{filed.event_id}/").content.decode()
    assert 'id="ratings"' in page
    assert "Basically satisfied" in page
    assert "The resident&#x27;s own page" in page
    # A department sees the event it handled, not the person's record link.
    desk = page_as(world.loop.department).get(f"/events/{filed.event_id}/")
    assert desk.status_code == 200
