"""The staff's pages of a notice, role by role, in and out of scope; composing with the count
of recipients first; a resident's pages on a phone."""

import pytest

from tests.factories import COMMUNITY_1, GRID_A, STREET_1, STREET_2, make_user
from wangge.foundation.permissions import ROLE_ACTIONS, Action, Role
from wangge.notices.models import Audience, Notice, Recipient
from wangge.notices.services import notice_create

from .conftest import TEXT


@pytest.mark.parametrize("role", Role.values)
def test_a_notices_pages_role_by_role(role, town, page_as):
    """A role that does not publish notices is refused (403) before anything is looked up;
    one that does finds the notice of its area (200) and not another's (404)."""
    notice = notice_create(by=town.staff, audience=Audience.JURISDICTION,
                           area_code=COMMUNITY_1, **TEXT)
    receipt = Recipient.objects.get(notice=notice, person=town.child)
    publishes = Action.PUBLISH_NOTICES in ROLE_ACTIONS[role]
    for street, in_scope in ((STREET_1, True), (STREET_2, False)):
        client = page_as(make_user(role, street))
        found = 200 if in_scope else 404
        for path in (f"/notices/{notice.pk}/", f"/notices/{notice.pk}/unread/"):
            assert client.get(path).status_code == (found if publishes else 403), path
        told = client.post(f"/notices/receipts/{receipt.pk}/told/", {"note": "已告知"})
        assert told.status_code == ((302 if in_scope else 404) if publishes else 403)
        withdrawn = client.post(f"/notices/{notice.pk}/withdraw/", {"reason": "测试"})
        assert withdrawn.status_code == ((302 if in_scope else 404) if publishes else 403)


def test_composing_counts_the_recipients_before_publishing(town, page_as):
    client = page_as(town.staff)
    form = {**TEXT, "audience": "grids", "grids": [GRID_A], "preview": "1"}
    preview = client.post("/notices/new/", form)
    assert preview.status_code == 200
    assert "it would reach 2 persons" in preview.content.decode()
    assert not Notice.objects.exists()
    del form["preview"]
    published = client.post("/notices/new/", form)
    notice = Notice.objects.get()
    assert published.status_code == 302
    assert published["Location"] == f"/notices/{notice.pk}/"
    detail = client.get(f"/notices/{notice.pk}/").content.decode()
    assert "民意一网格" in detail
    assert "Receipts in your grids" in detail


def test_composing_beyond_the_jurisdiction_is_refused_with_a_clear_error(town, page_as):
    answer = page_as(town.worker_a).post("/notices/new/", {
        **TEXT, "audience": "jurisdiction", "area": COMMUNITY_1})
    assert answer.status_code == 400
    # The area is not even offered to a grid worker of grid A.
    assert "Select a valid choice" in answer.content.decode()
    refused = page_as(town.worker_a).post("/notices/new/", {**TEXT, "audience": "population",
                                                            "area": GRID_A})
    assert refused.status_code == 400
    assert "Choose the care population" in refused.content.decode()
    assert not Notice.objects.exists()


def test_a_residents_notices_on_their_home(town, page_as):
    from wangge.residents.services import resident_account_for

    account = resident_account_for(person=town.elder)
    notice = notice_create(by=town.worker_a, audience=Audience.GRIDS, grid_codes=[GRID_A],
                           urgent=True, **TEXT)
    home = page_as(account).get("/").content.decode()
    assert f"/me/notices/{notice.pk}/" in home
    assert "Please confirm" in home
