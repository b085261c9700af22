"""Needs and offers, their rules: who may post, record and match; bounds; a match never
over-commits (checked under a row lock, also with two matches racing on PostgreSQL); a match
to delivery with quantities and statuses; needs from a care visit and from an event; history."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from tests.factories import (
    COMMUNITY_1,
    COMMUNITY_2,
    GRID_A,
    GRID_B,
    GRID_C,
    STREET_1,
    SYSTEM,
    centre_of,
)
from wangge.events.models import Category as EventCategory
from wangge.events.offers import offers_for
from wangge.events.services import event_report
from wangge.needs.models import Donation, Match, MatchStatus, Need, NeedStatus, Offer
from wangge.needs.services import (
    donation_record,
    match_cancel,
    match_confirm,
    match_deliver,
    need_close,
    need_post,
    offer_close,
)

from .conftest import make_town


def test_who_posts_and_who_matches(town):
    assert town.need(GRID_A, by=town.worker_a).posted_by == town.worker_a
    for user in (town.volunteer, town.resident):
        with pytest.raises(PermissionDenied):
            town.need(GRID_A, by=user)
        with pytest.raises(PermissionDenied):
            town.offer(COMMUNITY_1, by=user)
    # A grid worker posts needs but records no offer and matches nothing.
    with pytest.raises(PermissionDenied):
        town.offer(GRID_A, by=town.worker_a)
    need, offer = town.need(), town.offer()
    for user in (town.worker_a, town.volunteer, town.resident):
        with pytest.raises(PermissionDenied):
            match_confirm(by=user, need=need, offer=offer, quantity=1)


def test_a_need_and_an_offer_stay_in_the_jurisdiction(town):
    with pytest.raises(ValidationError) as refused:
        town.need(GRID_C, by=town.staff)
    assert "grid_code" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        town.need(GRID_B, by=town.worker_a)
    assert "grid_code" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        town.offer(COMMUNITY_2, by=town.staff)
    assert "area_code" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        town.offer(STREET_1, by=town.staff)  # around the community, not in it
    assert "area_code" in refused.value.message_dict


@pytest.mark.parametrize(("field", "value"), [
    ("quantity", 0), ("quantity", 100_001), ("quantity", -1), ("item", ""), ("item", "米" * 61),
    ("unit", ""), ("unit", "袋" * 21), ("description", "多" * 501), ("kind", "money"),
    ("category", "weapons"), ("urgency", "yesterday")])
def test_a_need_is_bounded(town, field, value):
    with pytest.raises(ValidationError) as refused:
        town.need(**{field: value})
    assert field in refused.value.message_dict


def test_an_offer_names_its_donor_once(town):
    with pytest.raises(ValidationError) as refused:
        town.offer(organization=None)
    assert "donor_name" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        town.offer(donor_name="张老板", organization=town.charity)
    assert "donor_name" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        town.offer(donor_name="张老板", donor_contact="不是电话")
    assert "donor_contact" in refused.value.message_dict
    offer = town.offer(donor_name="张老板", donor_contact="138-0000-1111")
    assert (offer.donor, offer.donor_contact) == ("张老板", "13800001111")


def test_an_offer_matches_only_needs_its_area_holds(town):
    need_a, need_b = town.need(GRID_A), town.need(GRID_B)
    grid_offer = town.offer(GRID_A)
    with pytest.raises(ValidationError) as refused:
        match_confirm(by=town.staff, need=need_b, offer=grid_offer, quantity=1)
    assert "offer" in refused.value.message_dict
    match_confirm(by=town.staff, need=need_a, offer=grid_offer, quantity=1)
    other_kind = town.offer(GRID_A, kind="service")
    with pytest.raises(ValidationError) as refused:
        match_confirm(by=town.staff, need=need_a, offer=other_kind, quantity=1)
    assert "offer" in refused.value.message_dict


def test_partial_matches_never_over_commit(town):
    need = town.need(quantity=10)
    small, large = town.offer(GRID_A, quantity=4), town.offer(quantity=100)
    first = match_confirm(by=town.staff, need=need, offer=small, quantity=4)
    need.refresh_from_db()
    small.refresh_from_db()
    assert (need.matched, need.status) == (4, NeedStatus.PARTLY_MATCHED)
    assert (small.committed, small.status) == (4, "taken")
    assert first.assignee == town.worker_a  # the grid worker of the need's grid
    # The offer has nothing left; the need needs only 6 more.
    with pytest.raises(ValidationError) as refused:
        match_confirm(by=town.staff, need=need, offer=small, quantity=1)
    assert "offer" in refused.value.message_dict or "quantity" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        match_confirm(by=town.staff, need=need, offer=large, quantity=7)
    assert "6" in refused.value.message_dict["quantity"][0]
    # A stale copy of the need (read before the first match) is no way around it: the
    # service reads both rows again under their locks.
    stale = Need.objects.get(pk=need.pk)
    stale.matched = 0
    match_confirm(by=town.staff, need=stale, offer=large, quantity=6)
    with pytest.raises(ValidationError):
        match_confirm(by=town.staff, need=stale, offer=large, quantity=1)
    need.refresh_from_db()
    assert (need.matched, need.status) == (10, NeedStatus.MATCHED)
    assert Offer.objects.get(pk=large.pk).committed == 6


def test_the_person_responsible_answers_for_the_grid(town):
    need, offer = town.need(GRID_A), town.offer()
    with pytest.raises(ValidationError) as refused:
        match_confirm(by=town.staff, need=need, offer=offer, quantity=1,
                      assignee=town.worker_b)
    assert "assignee" in refused.value.message_dict
    for user in (town.volunteer, town.worker_c):
        with pytest.raises(ValidationError):
            match_confirm(by=town.staff, need=need, offer=offer, quantity=1, assignee=user)
    match = match_confirm(by=town.staff, need=need, offer=offer, quantity=1,
                          assignee=town.staff)
    assert match.assignee == town.staff


def test_a_match_delivered_moves_quantities_statuses_and_records_a_donation(town):
    need = town.need(quantity=10)
    offer = town.offer(quantity=12, donor_name="张老板", named_publicly=False)
    match = match_confirm(by=town.staff, need=need, offer=offer, quantity=10)
    # Only the grid worker of the need's grid or its poster confirms.
    for user in (town.worker_b, town.street, town.volunteer):
        with pytest.raises(PermissionDenied):
            match_deliver(by=user, match=match, quantity=10)
    with pytest.raises(ValidationError):
        match_deliver(by=town.worker_a, match=match, quantity=11)
    match_deliver(by=town.worker_a, match=match, quantity=8, note="两袋破损")
    match.refresh_from_db()
    need.refresh_from_db()
    offer.refresh_from_db()
    assert (match.status, match.delivered_quantity, match.confirmed_by) == (
        MatchStatus.DELIVERED, 8, town.worker_a)
    # What did not arrive is needed again, and is the offer's again.
    assert (need.matched, need.delivered, need.status) == (8, 8, NeedStatus.PARTLY_MATCHED)
    assert (offer.committed, offer.delivered, offer.status) == (8, 8, "open")
    donation = Donation.objects.get()
    assert (donation.donor_name, donation.quantity, donation.code, donation.need,
            donation.named_publicly) == ("张老板", 8, GRID_A, need, False)
    with pytest.raises(ValidationError):
        match_deliver(by=town.worker_a, match=match, quantity=8)
    # The rest, and the need is delivered; its poster may confirm too.
    rest = match_confirm(by=town.staff, need=need, offer=offer, quantity=2)
    match_deliver(by=town.staff, match=rest, quantity=2)
    need.refresh_from_db()
    assert (need.delivered, need.status) == (10, NeedStatus.DELIVERED)
    assert [row.history_change_reason for row in need.history.order_by("history_id")] == [
        "posted", "matched: 10 袋", "delivered: 8 袋", "matched: 2 袋", "delivered: 2 袋"]
    assert need.history.last().history_user == town.staff
    with pytest.raises(ValidationError):
        match_confirm(by=town.staff, need=need, offer=offer, quantity=1)


def test_a_cancelled_match_gives_its_quantity_back(town):
    need, offer = town.need(quantity=5), town.offer(quantity=5)
    match = match_confirm(by=town.staff, need=need, offer=offer, quantity=5)
    with pytest.raises(ValidationError):
        need_close(by=town.staff, need=need, reason="不需要了")  # a match still to deliver
    with pytest.raises(ValidationError):
        match_cancel(by=town.staff, match=match, reason=" ")
    match_cancel(by=town.staff, match=match, reason="捐赠方无法送达")
    need.refresh_from_db()
    offer.refresh_from_db()
    assert (need.matched, need.status, offer.committed, offer.status) == (
        0, NeedStatus.OPEN, 0, "open")
    assert Match.objects.get().status == MatchStatus.CANCELLED
    with pytest.raises(ValidationError):
        match_deliver(by=town.worker_a, match=match, quantity=5)
    closed = need_close(by=town.staff, need=need, reason="邻居已帮忙")
    assert closed.status == NeedStatus.CLOSED
    offer_close(by=town.staff, offer=offer, reason="捐赠方撤回")
    with pytest.raises(ValidationError):
        match_confirm(by=town.staff, need=town.need(), offer=offer, quantity=1)


def test_a_need_from_a_care_visit_and_from_an_event(world):
    from tests.care.conftest import make_care
    from wangge.care.models import Outcome
    from wangge.care.services import care_visit_record

    care = make_care()
    town = make_town()
    visit = care_visit_record(person=care.alone, rule=care.weekly, by=care.worker,
                              outcome=Outcome.NEEDS_HELP, note="家中缺米，行动不便")
    need = need_post(by=care.worker, grid_code="", kind="goods", category="food",
                     item="大米", quantity=2, unit="袋", care_visit=visit)
    assert (need.grid_code, need.care_visit, need.event) == (GRID_A, visit, visit.event)
    assert need.description == ""  # nothing of the visit's note or the person
    # The visit's event offers "post as a need" until one is posted, then opens it.
    other = event_report(category=EventCategory.objects.get(code="garbage"),
                         description="楼道堆放杂物，需要搬运帮助", by=town.worker_a,
                         longitude=centre_of(GRID_A)[0], latitude=centre_of(GRID_A)[1])
    offered = offers_for(town.worker_a, other)
    assert [offer.url for offer in offered] == [f"/needs/new/?event={other.pk}"]
    assert offers_for(town.worker_a, visit.event)[0].url == f"/needs/{need.pk}/"
    # Not to those outside the grid, nor to roles that do not post needs.
    assert offers_for(town.worker_c, other) == []
    assert offers_for(town.volunteer, other) == []
    from_event = need_post(by=town.worker_a, grid_code=GRID_B, kind="service",
                           category="transport", item="搬运", quantity=1, unit="次",
                           event=other)
    assert (from_event.grid_code, from_event.event, from_event.care_visit) == (
        GRID_A, other, None)
    assert from_event.history.get().history_change_reason == "posted from an event"
    # An event outside the poster's jurisdiction is refused.
    with pytest.raises(ValidationError):
        need_post(by=town.worker_c, grid_code="", kind="service", category="transport",
                  item="搬运", quantity=1, unit="次", event=other)


def test_a_donation_recorded_directly(town):
    from django.utils import timezone

    today = timezone.localdate()
    gift = donation_record(by=town.staff, code=COMMUNITY_1, category="food", item="食用油",
                           quantity=30, unit="桶", donated_on=today, donor_name="李记粮油",
                           named_publicly=True)
    assert gift.code == COMMUNITY_1
    for code in (COMMUNITY_2, STREET_1, "420102001009"):  # beyond, a street, not a community
        with pytest.raises(ValidationError) as refused:
            donation_record(by=town.staff, code=code, category="food", item="油", quantity=1,
                            unit="桶", donated_on=today, organization=town.charity)
        assert "code" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        donation_record(by=town.worker_a, code=GRID_A, category="food", item="油", quantity=1,
                        unit="桶", donated_on=today, organization=town.charity)


@pytest.mark.django_db(transaction=True)
def test_two_matches_at_once_never_both_take_the_last_bags():
    """Two staff match 6 of an offer of 10 to two needs at the same moment: the offer's row
    lock makes one wait, read 4 left, and be refused."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers on its own; the row lock is PostgreSQL's")
    from tests import factories

    factories.make_divisions()
    town = make_town()
    offer = town.offer(quantity=10)
    needs = [town.need(quantity=6), town.need(quantity=6)]
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def match(need: Need) -> None:
        try:
            start.wait()
            match_confirm(by=town.staff, need=need, offer=Offer.objects.get(pk=offer.pk),
                          quantity=6)
            outcomes.append("matched")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=match, args=(need,)) for need in needs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["matched", "refused"]
    offer.refresh_from_db()
    assert offer.committed == 6
    assert SYSTEM  # the town was built by the tests' system actor
