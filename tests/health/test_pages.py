"""The residents' check-in from a phone and the staff's pages: identity with the least data
(the same refusal for a wrong value and for someone who does not live there), a household's
answers, the receipt, rate limits; the grid worker's list of who has not checked in, their
entry for a household, and answers masked and their reads logged by role."""

import re

import pytest
from django.core.cache import cache

from tests.factories import GRID_A, GRID_C, make_person
from wangge.auditlog.models import Entry as LogEntry
from wangge.events.models import Event
from wangge.health.models import CheckIn, CheckInChannel, EnteredBy
from wangge.health.passes import PASS_COOKIE, place_token
from wangge.health.services import answer_checked, check_in_record

REFUSAL = "These details do not match anyone we can check in here."


@pytest.fixture(autouse=True)
def fresh_limits(db):
    cache.clear()
    yield
    cache.clear()


def start(client, town, name, last_four, token=None):
    token = token or place_token(building=town.building.pk)
    return client.post(f"/checkin/{token}/", {"name": name, "last_four": last_four})


def test_a_resident_checks_in_the_household_and_sees_a_receipt(client, town):
    page = client.get(f"/checkin/{place_token(building=town.building.pk)}/")
    assert page.status_code == 200
    assert "1栋" in page.content.decode()
    answer = start(client, town, "张 伟", town.head.id_number[-4:].lower())
    assert answer.status_code == 302
    assert answer["Location"] == "/checkin/answers/"
    assert answer.cookies[PASS_COOKIE]["httponly"]
    form = client.get("/checkin/answers/").content.decode()
    for person in (town.head, town.spouse, town.child):
        assert person.name in form
    assert town.neighbour.name not in form
    assert town.head.id_number not in form
    receipt = client.post("/checkin/answers/", {
        f"temperature-{town.head.pk}": "36.5", f"temperature-{town.spouse.pk}": "36.8",
        f"symptoms-{town.spouse.pk}": []})
    text = receipt.content.decode()
    assert receipt.status_code == 200
    assert 'class="receipt"' in text
    assert "张伟" in text
    assert "李娜" in text
    assert "张小明" not in text
    head, spouse = (CheckIn.objects.get(person=town.head), CheckIn.objects.get(person=town.spouse))
    assert (head.entered_by, spouse.entered_by) == (EnteredBy.SELF, EnteredBy.HOUSEHOLD)
    assert head.channel == CheckInChannel.POSTER
    assert head.recorder is None
    assert not CheckIn.objects.filter(person=town.child).exists()
    again = client.post("/checkin/answers/", {f"temperature-{town.head.pk}": "36.6"})
    assert "your earlier answer today is replaced" in again.content.decode()
    assert CheckIn.objects.count() == 2


def test_a_wrong_value_and_an_unknown_person_get_the_same_answer(client, town):
    answers = [start(client, town, "张伟", "0000"),  # a wrong ID
               start(client, town, "张三", town.head.id_number[-4:]),  # nobody of that name
               start(client, town, town.in_c.name, town.in_c.id_number[-4:]),  # lives elsewhere
               start(client, town, "张伟", "12")]  # not four characters
    bodies = []
    for answer in answers:
        assert answer.status_code == 200
        assert PASS_COOKIE not in answer.cookies
        # What the page says: its messages (the form keeps what was typed, nothing else).
        bodies.append(re.findall(r'<p class="(?:error|message)[^>]*>(.*?)</p>',
                                 answer.content.decode()))
    assert REFUSAL in bodies[0][0]
    assert bodies[0] == bodies[1] == bodies[2] == [bodies[0][0]]


def test_the_link_a_grid_worker_sends_names_one_dwelling(client, town):
    token = place_token(dwelling=town.next_door.pk)
    assert start(client, town, "张伟", town.head.id_number[-4:], token).status_code == 200
    assert start(client, town, "王芳", town.neighbour.id_number[-4:], token).status_code == 302
    client.post("/checkin/answers/", {f"temperature-{town.neighbour.pk}": "36.4"})
    assert CheckIn.objects.get().channel == CheckInChannel.LINK


def test_made_up_places_and_passes_are_refused(client, town):
    assert client.get("/checkin/not-a-token/").status_code == 404
    assert client.get(f"/checkin/{place_token(building=10**9)}/").status_code == 404
    assert client.get("/checkin/answers/").status_code == 403
    client.cookies[PASS_COOKIE] = "made-up"
    assert client.post("/checkin/answers/", {"temperature-1": "36.5"}).status_code == 403
    assert not CheckIn.objects.exists()


def test_only_the_persons_of_the_pass_are_answered_for(client, town):
    start(client, town, "王芳", town.neighbour.id_number[-4:])
    client.post("/checkin/answers/", {f"temperature-{town.neighbour.pk}": "36.4",
                                      f"temperature-{town.head.pk}": "36.4"})
    assert list(CheckIn.objects.values_list("person_id", flat=True)) == [town.neighbour.pk]


def test_a_wrong_temperature_is_shown_on_the_form(client, town):
    start(client, town, "王芳", town.neighbour.id_number[-4:])
    answer = client.post("/checkin/answers/", {f"temperature-{town.neighbour.pk}": "3.65"})
    assert answer.status_code == 422
    assert "cannot be right" in answer.content.decode()
    assert client.post("/checkin/answers/", {}).status_code == 422
    assert not CheckIn.objects.exists()


def test_a_fever_from_the_phone_opens_an_event(client, town):
    start(client, town, "王芳", town.neighbour.id_number[-4:])
    receipt = client.post("/checkin/answers/", {f"temperature-{town.neighbour.pk}": "38.4",
                                                f"symptoms-{town.neighbour.pk}": ["cough"]})
    assert "Your grid worker will contact you today" in receipt.content.decode()
    event = Event.objects.get()
    assert event.category.code == "health-check-in"
    assert event.dwelling == town.next_door
    client.post("/checkin/answers/", {f"temperature-{town.neighbour.pk}": "38.6"})
    assert Event.objects.count() == 1


def test_saying_who_you_are_is_rate_limited(client, town, settings):
    settings.WANGGE_CHECKIN_IDENTIFY_RATE = "3/h"
    client.get(f"/checkin/{place_token(building=town.building.pk)}/")  # the phone's cookie
    for _ in range(3):
        assert start(client, town, "张伟", "0000").status_code == 200
    refused = start(client, town, "张伟", town.head.id_number[-4:])
    assert refused.status_code == 429
    assert PASS_COOKIE not in refused.cookies


def test_forgetting_the_pass(client, town):
    start(client, town, "王芳", town.neighbour.id_number[-4:])
    client.post("/checkin/forget/")
    assert client.get("/checkin/answers/").status_code == 403


def record(town, person, temperature="36.5"):
    return check_in_record(person=person, answer=answer_checked(temperature=temperature),
                           entered_by=EnteredBy.GRID_WORKER, channel=CheckInChannel.PAGE,
                           by=town.worker)


def test_the_grid_workers_list_of_who_has_not_checked_in(client, town):
    record(town, town.head)
    client.force_login(town.worker)
    page = client.get(f"/health/grids/{GRID_A}/")
    text = page.content.decode()
    missing = text[text.index("Not checked in"):text.index("<h2>", text.index("Not checked in"))]
    for person in (town.spouse, town.child, town.neighbour):
        assert person.name in missing
    assert town.head.name not in missing
    assert town.away.name not in missing
    assert town.in_b.name not in text
    assert client.get(f"/health/grids/{GRID_C}/").status_code == 404
    home = client.get("/health/").content.decode()
    assert "1 / 4" in home  # checked in / expected (the one living away is not expected)


def test_a_grid_worker_checks_in_a_household_that_cannot(client, town):
    client.force_login(town.worker)
    form = client.get(f"/health/persons/{town.child.pk}/check-in/").content.decode()
    assert all(person.name in form for person in (town.head, town.spouse, town.child))
    assert "/checkin/" in form  # the link to send them
    answer = client.post(f"/health/persons/{town.child.pk}/check-in/", {
        f"temperature-{town.head.pk}": "36.2", f"temperature-{town.child.pk}": "37.9"})
    assert answer.status_code == 302
    stored = CheckIn.objects.order_by("person_id")
    assert [c.entered_by for c in stored] == [EnteredBy.GRID_WORKER] * 2
    assert {c.recorder for c in stored} == {town.worker}
    assert Event.objects.count() == 1
    outsider = make_person(GRID_C, name="外人")
    assert client.get(f"/health/persons/{outsider.pk}/check-in/").status_code == 404


def test_answers_are_masked_by_role_and_unmasked_reads_logged(client, town):
    record(town, town.head, "38.1")
    client.force_login(town.worker)
    shown = client.get(f"/health/grids/{GRID_A}/").content.decode()
    assert "38.1" in shown
    entry = LogEntry.objects.get(target="check-ins")
    assert entry.username == "worker-a"
    assert entry.fields == "health_status"
    assert entry.record_ids == [town.head.pk]
    client.force_login(town.street)
    masked = client.get(f"/health/grids/{GRID_A}/").content.decode()
    assert "38.1" not in masked
    assert "*、*" not in masked
    assert masked.count("***") >= 2  # the temperature and the symptoms
    assert LogEntry.objects.filter(target="check-ins").count() == 1
    client.force_login(town.volunteer)
    assert client.get(f"/health/grids/{GRID_A}/").status_code == 403


def test_the_buildings_poster_leads_to_its_check_in(client, town):
    client.force_login(town.worker)
    poster = client.get(f"/report/poster/{town.building.pk}/").content.decode()
    [link] = re.findall(r'<a href="http://testserver(/checkin/[^"]+)"', poster)
    # The report's QR code and the check-in's (the tab bar's icons are svg too).
    assert poster.count("<svg") - poster.count('<svg class="icon"') == 2
    client.logout()
    assert "1栋" in client.get(link).content.decode()
