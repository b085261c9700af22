"""The needs' API: role by role, in and out of scope, the flow from a need to a donation, and
the public sums (no sign-in)."""

import pytest
from django.utils import timezone

from tests.factories import COMMUNITY_1, COMMUNITY_2, GRID_A, GRID_C, STREET_1, STREET_2, make_user
from wangge.foundation.permissions import ROLE_ACTIONS, Action, Role
from wangge.needs.services import match_confirm, match_deliver

JSON = {"content_type": "application/json"}


@pytest.mark.parametrize("role", Role.values)
def test_needs_role_by_role(role, town, client):
    need, offer = town.need(GRID_A), town.offer(COMMUNITY_1)
    match = match_confirm(by=town.staff, need=need, offer=offer, quantity=1)
    match_deliver(by=town.worker_a, match=match, quantity=1)  # a donation
    posts = Action.POST_NEEDS in ROLE_ACTIONS[role]
    # An organization's desk sees its own organization's offers only (it answers for none
    # here): the offers answer, with nothing in them.
    desk = not posts and Action.OFFER_HELP in ROLE_ACTIONS[role]
    for street, in_scope in ((STREET_1, True), (STREET_2, False)):
        client.force_login(make_user(role, street))
        found = (200 if in_scope else 404) if posts else 403
        for path in (f"/api/v1/needs/{need.pk}", f"/api/v1/needs/offers/{offer.pk}",
                     f"/api/v1/needs/offers/{offer.pk}/matches",
                     f"/api/v1/needs/matches/{match.pk}",
                     f"/api/v1/needs/{need.pk}/suggestions"):
            expected = 404 if desk and "/offers/" in path else found
            assert client.get(path).status_code == expected, path
        for path in ("/api/v1/needs", "/api/v1/needs/offers", "/api/v1/needs/matches",
                     "/api/v1/needs/donations"):
            listed = client.get(path)
            answers = posts or (desk and path.endswith("/offers"))
            assert listed.status_code == (200 if answers else 403), path
            if answers:
                assert listed.json()["count"] == (1 if in_scope and posts else 0), path
        made = client.post("/api/v1/needs", {"grid_code": GRID_A, "kind": "goods",
                                             "category": "food", "item": "面粉",
                                             "quantity": 2, "unit": "袋"}, **JSON)
        assert made.status_code == ((201 if in_scope else 422) if posts else 403)
        matched = client.post("/api/v1/needs/matches", {
            "need_id": need.pk, "offer_id": offer.pk, "quantity": 1}, **JSON)
        matches = Action.MATCH_NEEDS in ROLE_ACTIONS[role]
        assert matched.status_code == ((201 if in_scope else 422) if matches else 403)


def test_from_a_need_to_a_donation_through_the_api(town, client):
    client.force_login(town.worker_a)
    need = client.post("/api/v1/needs", {
        "grid_code": GRID_A, "kind": "goods", "category": "daily_necessities", "item": "棉被",
        "quantity": 3, "unit": "床", "description": "冬季御寒", "urgency": "high"}, **JSON)
    assert need.status_code == 201
    need_id = need.json()["id"]
    client.force_login(town.staff)
    offer = client.post("/api/v1/needs/offers", {
        "area_code": COMMUNITY_1, "donor_name": "王先生", "donor_contact": "13900001234",
        "named_publicly": True, "kind": "goods", "category": "daily_necessities",
        "item": "棉被", "quantity": 5, "unit": "床"}, **JSON)
    assert offer.status_code == 201
    assert offer.json()["donor_contact"] == "13900001234"  # community staff see phones
    offer_id = offer.json()["id"]
    client.force_login(town.volunteer)
    assert client.get(f"/api/v1/needs/offers/{offer_id}").status_code == 403
    client.force_login(town.street)
    suggestions = client.get(f"/api/v1/needs/{need_id}/suggestions").json()
    assert [(found["offer"]["id"], found["place"], found["covers"]) for found in suggestions] \
        == [(offer_id, 1, 3)]
    client.force_login(town.staff)
    over = client.post("/api/v1/needs/matches", {"need_id": need_id, "offer_id": offer_id,
                                                  "quantity": 4}, **JSON)
    assert over.status_code == 422
    assert "quantity" in over.json()["errors"]
    match = client.post("/api/v1/needs/matches", {"need_id": need_id, "offer_id": offer_id,
                                                   "quantity": 3}, **JSON)
    assert match.status_code == 201
    assert match.json()["assignee_id"] == town.worker_a.pk
    match_id = match.json()["id"]
    assert client.get(f"/api/v1/needs/{need_id}").json()["status"] == "matched"
    # Community staff neither posted it nor work the grid: 403; the grid worker confirms.
    refused = client.post(f"/api/v1/needs/matches/{match_id}/deliver", {"quantity": 3}, **JSON)
    assert refused.status_code == 403
    client.force_login(town.worker_a)
    waiting = client.get("/api/v1/needs/matches?waiting=true").json()
    assert [item["id"] for item in waiting["items"]] == [match_id]
    delivered = client.post(f"/api/v1/needs/matches/{match_id}/deliver", {"quantity": 3},
                            **JSON)
    assert delivered.status_code == 200
    assert delivered.json()["status"] == "delivered"
    assert client.get(f"/api/v1/needs/{need_id}").json()["status"] == "delivered"
    assert client.get("/api/v1/needs/matches?waiting=true").json()["count"] == 0
    donations = client.get("/api/v1/needs/donations").json()
    assert [(item["donor_name"], item["quantity"]) for item in donations["items"]] == [
        ("王先生", 3)]
    client.logout()
    summary = client.get(f"/api/v1/needs/donations/summary/{COMMUNITY_1}")
    assert summary.status_code == 200
    assert summary.json()["named_donors"] == ["王先生"]
    assert summary.json()["by_category"] == [
        {"category": "daily_necessities", "unit": "床", "quantity": 3, "gifts": 1}]


def test_a_street_officer_sees_phones_masked_not_department(town, client):
    offer = town.offer(donor_name="张老板", donor_contact="13800001111")
    client.force_login(make_user(Role.STREET_OFFICER, STREET_1))
    assert client.get(f"/api/v1/needs/offers/{offer.pk}").json()["donor_contact"] == \
        "13800001111"  # street officers see phones
    client.force_login(town.worker_a)
    assert client.get(f"/api/v1/needs/offers/{offer.pk}").json()["donor_contact"] == \
        "13800001111"


def test_huge_ids_and_bad_input(town, client):
    client.force_login(town.staff)
    for path in ("/api/v1/needs/99999999999999999999", "/api/v1/needs/offers/9223372036854775807",
                 "/api/v1/needs/matches/9223372036854775807"):
        assert client.get(path).status_code in (404, 422), path
    assert client.get("/api/v1/needs/9223372036854775807").status_code == 404
    too_many = client.post("/api/v1/needs", {"grid_code": GRID_A, "kind": "goods",
                                             "category": "food", "item": "米",
                                             "quantity": 10**12, "unit": "袋"}, **JSON)
    assert too_many.status_code == 422
    beyond = client.post("/api/v1/needs", {"grid_code": GRID_C, "kind": "goods",
                                           "category": "food", "item": "米", "quantity": 1,
                                           "unit": "袋"}, **JSON)
    assert beyond.status_code == 422
    assert client.get("/api/v1/needs/donations/summary/420102001001001").status_code == 404
    assert client.get("/api/v1/needs/donations/summary/420102009000").status_code == 404
    today = timezone.localdate()
    upside = client.get(f"/api/v1/needs/donations/summary/{COMMUNITY_2}",
                        {"start": today.isoformat(), "end": "2020-01-01"})
    assert upside.status_code == 422


def test_the_public_sums_take_any_dates_without_failing(town, client):
    for period in ({"end": "0001-01-02"}, {"start": "9999-12-31"}, {"start": "0001-01-01"},
                   {"end": "9999-12-31"}):
        answer = client.get(f"/api/v1/needs/donations/summary/{COMMUNITY_1}", period)
        assert answer.status_code in (200, 422), period
        assert client.get(f"/needs/donations/{COMMUNITY_1}/", period).status_code in (200, 400)
