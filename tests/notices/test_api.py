"""The notices' API: role by role, in and out of scope, and what each operation answers."""

import pytest

from tests.factories import COMMUNITY_1, GRID_A, GRID_C, STREET_1, STREET_2, make_user
from wangge.foundation.permissions import ROLE_ACTIONS, Action, Role
from wangge.notices.models import Audience, Notice, Recipient
from wangge.notices.services import notice_create
from wangge.residents.services import resident_account_for

from .conftest import TEXT


@pytest.mark.parametrize("role", Role.values)
def test_a_notice_role_by_role(role, town, client):
    notice = notice_create(by=town.staff, audience=Audience.JURISDICTION,
                           area_code=COMMUNITY_1, **TEXT)
    receipt = Recipient.objects.get(notice=notice, person=town.child)
    publishes = Action.PUBLISH_NOTICES in ROLE_ACTIONS[role]
    for street, in_scope in ((STREET_1, True), (STREET_2, False)):
        client.force_login(make_user(role, street))
        found = (200 if in_scope else 404) if publishes else 403
        assert client.get(f"/api/v1/notices/{notice.pk}").status_code == found
        assert client.get(f"/api/v1/notices/{notice.pk}/unread").status_code == found
        listed = client.get("/api/v1/notices")
        assert listed.status_code == (200 if publishes else 403)
        if publishes:
            assert listed.json()["count"] == (1 if in_scope else 0)
        told = client.post(f"/api/v1/notices/receipts/{receipt.pk}/told",
                           {"note": "已告知"}, content_type="application/json")
        assert told.status_code == found
        assert client.get("/api/v1/me/notices").status_code == (
            200 if Action.VIEW_OWN_RECORD in ROLE_ACTIONS[role] else 403)


def test_publish_count_and_withdraw(town, client):
    client.force_login(town.staff)
    body = {**TEXT, "audience": "population", "area_code": COMMUNITY_1,
            "population_key": "low_income"}
    preview = client.post("/api/v1/notices/preview", body, content_type="application/json")
    assert preview.json() == {"recipients": 1}
    made = client.post("/api/v1/notices", body, content_type="application/json")
    assert made.status_code == 201
    assert made.json()["recipient_count"] == 1
    notice = made.json()["id"]
    detail = client.get(f"/api/v1/notices/{notice}").json()
    assert detail["totals"]["recipients"] == 1
    assert detail["grids"][0]["grid_code"] == GRID_A
    beyond = client.post("/api/v1/notices", {**body, "area_code": GRID_C},
                         content_type="application/json")
    assert beyond.status_code == 422
    assert "area_code" in beyond.json()["errors"]
    unknown = client.post("/api/v1/notices", {**body, "population_key": "nobody"},
                          content_type="application/json")
    assert unknown.status_code == 422
    client.force_login(town.worker_a)
    refused = client.post(f"/api/v1/notices/{notice}/withdraw", {"reason": "错了"},
                          content_type="application/json")
    assert refused.status_code == 403  # it is the community's, not grid A's
    client.force_login(town.staff)
    withdrawn = client.post(f"/api/v1/notices/{notice}/withdraw", {"reason": "错了"},
                            content_type="application/json")
    assert withdrawn.status_code == 200
    assert withdrawn.json()["state"] == "withdrawn"
    assert Notice.objects.get().withdraw_reason == "错了"


def test_a_resident_reads_and_confirms_through_the_api(town, client):
    account = resident_account_for(person=town.elder)
    notice = notice_create(by=town.worker_a, audience=Audience.GRIDS, grid_codes=[GRID_A],
                           urgent=True, **TEXT)
    client.force_login(account)
    listed = client.get("/api/v1/me/notices").json()
    assert listed["count"] == 1
    assert listed["items"][0]["read_at"] is None
    read = client.get(f"/api/v1/me/notices/{notice.pk}").json()
    assert read["read_at"] is not None
    assert read["acknowledged_at"] is None
    confirmed = client.post(f"/api/v1/me/notices/{notice.pk}/acknowledge").json()
    assert confirmed["acknowledged_at"] is not None
    client.force_login(resident_account_for(person=town.neighbour))
    assert client.get(f"/api/v1/me/notices/{notice.pk}").status_code == 404
