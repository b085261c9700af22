"""A small town for needs and offers: grids A and B (community 1, street 1) and C
(community 2, street 2); a grid worker for each grid, community staff of community 1, a street
officer of street 1, a district administrator; a volunteer and a resident; a social
organization of grid A."""

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

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
from wangge.access.models import User
from wangge.foundation.permissions import Role
from wangge.needs.models import Need, Offer
from wangge.needs.services import need_post, offer_record
from wangge.organizations.models import Organization
from wangge.organizations.services import organization_create

# Tests run on this day (frozen where dates matter).
TODAY = datetime.date(2026, 5, 4)


@dataclass
class Town:
    worker_a: User
    worker_b: User
    worker_c: User
    staff: User  # community staff of community 1
    staff_2: User  # community staff of community 2
    street: User
    district: User
    volunteer: User
    resident: User
    charity: Organization  # a social organization of grid A

    def need(self, grid: str = GRID_A, by: User | None = None, **fields: Any) -> Need:
        values = {"kind": "goods", "category": "food", "item": "大米", "quantity": 10,
                  "unit": "袋", "description": "独居老人家中缺粮"} | fields
        return need_post(by=by or self.staff, grid_code=grid, **values)

    def offer(self, area: str = COMMUNITY_1, by: User | None = None, **fields: Any) -> Offer:
        values = {"kind": "goods", "category": "food", "item": "大米", "quantity": 20,
                  "unit": "袋", "organization": self.charity} | fields
        if "donor_name" in fields and "organization" not in fields:
            values.pop("organization")
        return offer_record(by=by or self.staff, area_code=area, **values)


def make_town() -> Town:
    return Town(
        worker_a=make_user(Role.GRID_WORKER, GRID_A),
        worker_b=make_user(Role.GRID_WORKER, GRID_B),
        worker_c=make_user(Role.GRID_WORKER, GRID_C),
        staff=make_user(Role.COMMUNITY_STAFF, COMMUNITY_1),
        staff_2=make_user(Role.COMMUNITY_STAFF, COMMUNITY_2),
        street=make_user(Role.STREET_OFFICER, STREET_1),
        district=make_user(Role.DISTRICT_ADMIN, DISTRICT),
        volunteer=make_user(Role.VOLUNTEER, COMMUNITY_1),
        resident=make_user(Role.RESIDENT, GRID_A),
        charity=organization_create(name="爱心公益协会", kind="social", grid_code=GRID_A,
                                    by=SYSTEM))


@pytest.fixture
def town(world) -> Town:
    return make_town()


@pytest.fixture
def client():
    """A browser asking for English: this suite reads the msgids."""
    return Client(headers={"Accept-Language": "en"})
