"""Matching: the offers that could meet a need, ranked by kind, place and quantity, on
hand-made cases (no database), and the same through the scoped selector."""

import datetime

import pytest

from tests.factories import COMMUNITY_1, COMMUNITY_2, DISTRICT, GRID_A, GRID_B, GRID_C, STREET_1
from wangge.needs.models import Need, Offer
from wangge.needs.selectors import candidates_for, place_rank, ranked_offers, suggestions_for

LATER = datetime.date(2026, 9, 1)
SOONER = datetime.date(2026, 6, 1)


def _need(grid=GRID_A, quantity=10, matched=0, kind="goods", category="food"):
    return Need(pk=1, grid_code=grid, kind=kind, category=category, item="大米",
                quantity=quantity, matched=matched, unit="袋")


def _offer(pk, area, quantity=20, committed=0, until=None, kind="goods", category="food"):
    return Offer(pk=pk, area_code=area, kind=kind, category=category, item="大米",
                 quantity=quantity, committed=committed, unit="袋", available_until=until,
                 donor_name=f"捐赠人{pk}")


def test_place_rank_names_how_near_an_area_is():
    assert place_rank(GRID_A, GRID_A) == 0
    assert place_rank(GRID_A, COMMUNITY_1) == 1
    assert place_rank(GRID_A, STREET_1) == 2
    assert place_rank(GRID_A, DISTRICT) == 3
    assert place_rank(GRID_A, "420100000000") == 4  # the city
    # Areas that do not hold the grid: another grid, another community, street or district.
    for area in (GRID_B, COMMUNITY_2, "420102002000", "420103000000"):
        assert place_rank(GRID_A, area) is None


def test_offers_rank_by_place_then_quantity_then_earlier_expiry():
    offers = [
        _offer(1, DISTRICT, quantity=100),
        _offer(2, COMMUNITY_1, quantity=3),
        _offer(3, GRID_A, quantity=2),
        _offer(4, COMMUNITY_1, quantity=10, until=LATER),
        _offer(5, COMMUNITY_1, quantity=50, until=SOONER),
        _offer(6, STREET_1, quantity=10),
        _offer(7, COMMUNITY_1, quantity=10),  # no end: after those that end
    ]
    ranked = ranked_offers(_need(quantity=10), offers)
    assert [found.offer.pk for found in ranked] == [3, 5, 4, 7, 2, 6, 1]
    assert [found.covers for found in ranked] == [2, 10, 10, 10, 3, 10, 10]
    assert [found.place for found in ranked] == [0, 1, 1, 1, 1, 2, 3]


def test_another_kind_category_area_or_nothing_left_never_matches():
    offers = [
        _offer(1, COMMUNITY_1, kind="service"),
        _offer(2, COMMUNITY_1, category="daily_necessities"),
        _offer(3, GRID_B),  # another grid of the same community
        _offer(4, COMMUNITY_2),
        _offer(5, GRID_C),
        _offer(6, COMMUNITY_1, quantity=5, committed=5),  # all taken
        _offer(7, COMMUNITY_1, quantity=5),
    ]
    assert [found.offer.pk for found in ranked_offers(_need(), offers)] == [7]


def test_what_an_offer_covers_is_what_the_need_still_needs():
    ranked = ranked_offers(_need(quantity=10, matched=7), [_offer(1, GRID_A, quantity=20)])
    assert ranked[0].covers == 3


@pytest.mark.django_db
def test_the_selector_ranks_what_the_caller_sees(town):
    need = town.need(GRID_A)
    near = town.offer(GRID_A, quantity=4)
    wide = town.offer(STREET_1, by=town.street)
    community = town.offer(COMMUNITY_1, quantity=30)
    other_grid = town.offer(GRID_B)
    services = town.offer(COMMUNITY_1, kind="service", category="food")
    elsewhere = town.offer(COMMUNITY_2, by=town.staff_2)
    ranked = [found.offer for found in candidates_for(town.staff, need)]
    assert ranked == [near, community, wide]
    assert other_grid not in ranked
    assert services not in ranked
    assert elsewhere not in ranked
    # The grid worker of A sees the street's offer too (it serves their grid).
    assert [found.offer for found in candidates_for(town.worker_a, need)] == ranked
    assert [found.offer for found in suggestions_for(town.staff, [need])[need.pk]] == ranked
