"""The needs' pages: the board shows only the caller's jurisdiction, with suggestions; a
need's page matches; a match is delivered; the to-do home lists deliveries; the public sums
of donations show no person, no need's text and no donor who did not agree to be named."""

import datetime

import pytest
from django.utils import timezone

from tests.factories import (
    COMMUNITY_1,
    COMMUNITY_2,
    DISTRICT,
    GRID_A,
    GRID_B,
    GRID_C,
    STREET_1,
    SYSTEM,
    make_user,
)
from wangge.events.models import Responder
from wangge.foundation.permissions import Role
from wangge.needs.models import MatchStatus, Need, Offer
from wangge.needs.services import donation_record, match_confirm, match_deliver
from wangge.organizations.services import organization_create


def test_the_board_shows_nothing_outside_the_jurisdiction(town, client):
    mine = town.need(GRID_A, item="轮椅")
    theirs = town.need(GRID_C, by=town.staff_2, item="拐杖")
    offer = town.offer(COMMUNITY_1, item="二手轮椅")
    far_offer = town.offer(COMMUNITY_2, by=town.staff_2, item="助行器")
    client.force_login(town.worker_a)
    page = client.get("/needs/").content.decode()
    assert "轮椅" in page
    assert "拐杖" not in page
    assert "助行器" not in page
    assert f"/needs/offers/{offer.pk}/" in page  # suggested for the need, and listed
    assert client.get(f"/needs/{theirs.pk}/").status_code == 404
    assert client.get(f"/needs/offers/{far_offer.pk}/").status_code == 404
    assert client.get(f"/needs/{mine.pk}/").status_code == 200
    assert client.get("/needs/99999999999999999999/").status_code == 404
    assert client.get("/needs/matches/9223372036854775808/").status_code == 404
    # Filters narrow the board: another category, another grid.
    assert "轮椅" not in client.get("/needs/?category=repairs").content.decode()
    assert "轮椅" in client.get("/needs/?category=food").content.decode()
    client.force_login(town.worker_b)  # grid B: the community's offer, not grid A's need
    page = client.get("/needs/").content.decode()
    assert "二手轮椅" in page
    assert f"/needs/{mine.pk}/" not in page
    client.force_login(town.district)
    page = client.get(f"/needs/?code={COMMUNITY_2}").content.decode()
    assert "拐杖" in page
    assert "轮椅" not in page


def test_volunteers_and_residents_see_no_board(town, client):
    for user in (town.volunteer, town.resident):
        client.force_login(user)
        assert client.get("/needs/").status_code == 403
        assert client.get("/needs/new/").status_code == 403
    client.force_login(town.worker_a)
    assert client.get("/needs/offers/new/").status_code == 403  # grid workers record none


def test_post_match_and_deliver_on_the_pages(town, client):
    client.force_login(town.worker_a)
    posted = client.post("/needs/new/", {
        "grid_code": GRID_A, "kind": "service", "category": "repairs", "item": "修水管",
        "quantity": "1", "unit": "次", "description": "厨房水管漏水", "urgency": "high",
        "needed_by": ""})
    need = Need.objects.get()
    assert posted.status_code == 302
    assert posted["Location"] == f"/needs/{need.pk}/"
    client.force_login(town.staff)
    made = client.post("/needs/offers/new/", {
        "area_code": GRID_A, "organization": town.charity.pk, "kind": "service",
        "category": "repairs", "item": "上门维修", "quantity": "5", "unit": "次"})
    assert made.status_code == 302
    page = client.get(f"/needs/{need.pk}/").content.decode()
    assert "上门维修" in page
    offer = need.matches.model.offer.field.related_model.objects.get()
    matched = client.post(f"/needs/{need.pk}/match/", {"offer": offer.pk, "quantity": "1",
                                                       "assignee": ""})
    match = need.matches.get()
    assert matched["Location"] == f"/needs/matches/{match.pk}/"
    assert match.assignee == town.worker_a
    # On the grid worker's to-do home, and confirmed there.
    client.force_login(town.worker_a)
    home = client.get("/").content.decode()
    assert f"/needs/matches/{match.pk}/" in home
    client.post(f"/needs/matches/{match.pk}/deliver/", {"quantity": "1", "note": "已修好"})
    match.refresh_from_db()
    assert match.status == MatchStatus.DELIVERED
    assert f"/needs/matches/{match.pk}/" not in client.get("/").content.decode()


def test_post_as_a_need_from_an_event_page(town, client):
    from tests.factories import centre_of
    from wangge.events.models import Category
    from wangge.events.services import event_report

    event = event_report(category=Category.objects.get(code="garbage"),
                         description="张大爷家门口垃圾无人清运，老人行动不便",
                         by=town.worker_a, longitude=centre_of(GRID_A)[0],
                         latitude=centre_of(GRID_A)[1])
    client.force_login(town.worker_a)
    assert f"/needs/new/?event={event.pk}" in client.get(f"/events/{event.pk}/").content.decode()
    form = client.get(f"/needs/new/?event={event.pk}")
    assert form.status_code == 200
    assert "grid_code" not in form.content.decode()
    client.post(f"/needs/new/?event={event.pk}", {
        "kind": "time", "category": "companionship", "item": "清运帮手", "quantity": "2",
        "unit": "小时", "urgency": "normal"})
    need = Need.objects.get()
    assert (need.event, need.grid_code, need.description) == (event, GRID_A, "")
    client.force_login(town.worker_c)
    assert client.get(f"/needs/new/?event={event.pk}").status_code == 404
    assert client.get("/needs/new/?event=99999999999999999999").status_code == 404


@pytest.fixture
def given(town):
    """Gifts in community 1 (one by a named donor, one anonymous, through a need whose text
    names a person) and community 2; one long ago."""
    today = timezone.localdate()
    need = town.need(GRID_A, item="大米", description="张大爷患病在家，缺粮", quantity=5)
    offer = town.offer(GRID_A, donor_name="匿名好心人", named_publicly=False, quantity=5)
    match = match_confirm(by=town.staff, need=need, offer=offer, quantity=5)
    match_deliver(by=town.worker_a, match=match, quantity=5)
    donation_record(by=town.staff, code=COMMUNITY_1, category="food", item="大米",
                    quantity=20, unit="袋", donated_on=today, donor_name="李记粮油",
                    named_publicly=True)
    donation_record(by=town.staff_2, code=GRID_C, category="daily_necessities",
                    item="口罩", quantity=100, unit="个", donated_on=today,
                    organization=town.charity)
    donation_record(by=town.staff, code=GRID_B, category="food", item="面粉", quantity=3,
                    unit="袋", donated_on=today - datetime.timedelta(days=400),
                    donor_name="老周", named_publicly=True)
    return town


def test_the_public_sums_name_no_one_who_did_not_agree(given, client):
    page = client.get(f"/needs/donations/{DISTRICT}/")
    assert page.status_code == 200  # no sign-in
    text = page.content.decode()
    assert "李记粮油" in text  # agreed
    for hidden in ("匿名好心人", "张大爷", "患病", "缺粮", "爱心公益协会", "老周"):
        assert hidden not in text, hidden
    assert "25 袋" in text  # 5 through the need and 20 directly
    assert "3 gifts from 3 donors" in text
    community = client.get(f"/needs/donations/{COMMUNITY_2}/").content.decode()
    assert "口罩" in community
    assert "大米" not in community
    longer = client.get(f"/needs/donations/{COMMUNITY_1}/", {
        "start": (timezone.localdate() - datetime.timedelta(days=500)).isoformat()})
    assert "老周" in longer.content.decode()
    assert "面粉" in longer.content.decode()
    assert client.get(f"/needs/donations/{COMMUNITY_1}/", {
        "start": "2010-01-01"}).status_code == 400
    assert client.get("/needs/donations/420102009001/").status_code == 404
    assert client.get(f"/needs/donations/{STREET_1}/").status_code == 200


def test_an_organization_offers_help_in_its_own_name_and_follows_it(town, client):
    """The charity's desk (an institution's account: department staff answering for it)
    offers on its page and through the API, only in its own name, sees what became of its
    offers and closes them; it sees no need, no other offer and no board."""
    desk = make_user(Role.DEPARTMENT_STAFF, STREET_1, username="charity-desk")
    Responder.objects.create(organization=town.charity, user=desk)
    other = organization_create(name="邻里互助会", kind="social", grid_code=GRID_B, by=SYSTEM)
    theirs = town.offer(COMMUNITY_1, organization=other, item="面粉")
    need = town.need(GRID_A)
    client.force_login(desk)
    assert "/needs/offers/ours/" in client.get("/").content.decode()
    assert client.get("/needs/").status_code == 403
    assert client.get(f"/needs/{need.pk}/").status_code == 403
    form = client.get("/needs/offers/new/").content.decode()
    assert "爱心公益协会" in form
    assert "邻里互助会" not in form  # not an organization it answers for
    assert 'name="donor_name"' not in form
    refused = client.post("/needs/offers/new/", {
        "area_code": COMMUNITY_1, "organization": other.pk, "kind": "goods",
        "category": "food", "item": "大米", "quantity": "5", "unit": "袋"})
    assert refused.status_code == 400
    posted = client.post("/needs/offers/new/", {
        "area_code": COMMUNITY_1, "organization": town.charity.pk, "kind": "goods",
        "category": "food", "item": "大米", "quantity": "5", "unit": "袋",
        "named_publicly": "on"})
    offer = Offer.objects.get(item="大米", quantity=5)
    assert posted.status_code == 302
    assert (offer.organization, offer.recorded_by, offer.donor_name) == (town.charity, desk, "")
    # Community staff match it; the desk sees where it went, without the need's page.
    match = match_confirm(by=town.staff, need=need, offer=offer, quantity=2)
    match_deliver(by=town.worker_a, match=match, quantity=2)
    ours = client.get("/needs/offers/ours/").content.decode()
    assert f"/needs/offers/{offer.pk}/" in ours
    assert f"/needs/offers/{theirs.pk}/" not in ours
    page = client.get(f"/needs/offers/{offer.pk}/").content.decode()
    assert "Where it went" in page
    assert "Delivered" in page
    assert f"/needs/matches/{match.pk}/" not in page
    assert client.get(f"/needs/matches/{match.pk}/").status_code == 403
    assert client.get(f"/needs/offers/{theirs.pk}/").status_code == 404
    # The API: only in its own name; its offers listed; another's closed is not found.
    api = client.post("/api/v1/needs/offers", {
        "area_code": COMMUNITY_1, "organization_id": other.pk, "kind": "goods",
        "category": "food", "item": "油", "quantity": 3, "unit": "桶"},
        content_type="application/json")
    assert api.status_code == 403
    listed = client.get("/api/v1/needs/offers?open=false").json()
    assert [item["id"] for item in listed["items"]] == [offer.pk]
    went = client.get(f"/api/v1/needs/offers/{offer.pk}/matches").json()
    assert went["items"] == [{
        "item": "大米", "quantity": 2, "status": "delivered",
        "matched_at": went["items"][0]["matched_at"], "delivered_quantity": 2,
        "delivered_at": went["items"][0]["delivered_at"]}]
    assert client.get(f"/api/v1/needs/offers/{theirs.pk}/matches").status_code == 404
    assert client.post(f"/api/v1/needs/offers/{theirs.pk}/close", {"reason": "x"},
                       content_type="application/json").status_code == 404
    closed = client.post(f"/needs/offers/{offer.pk}/close/", {"reason": "已发完"})
    assert closed.status_code == 302
    offer.refresh_from_db()
    assert offer.status == "closed"
