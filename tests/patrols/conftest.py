"""A small world for patrols: grid A with three buildings and two workers, grid B and C with
one building each, and the people who oversee them (see tests/factories.py)."""

from dataclasses import dataclass

import pytest

from tests.factories import (
    COMMUNITY_1,
    DISTRICT,
    GRID_A,
    GRID_B,
    GRID_C,
    STREET_1,
    make_building,
    make_divisions,
    make_user,
)
from wangge.access.models import User
from wangge.events.default_categories import install_default_categories
from wangge.events.models import Category
from wangge.foundation.permissions import Role
from wangge.places.models import Building


@dataclass
class Beat:
    worker: User  # grid worker of grid A
    colleague: User  # another grid worker of grid A
    community: User  # community staff of community 1 (grids A and B)
    street: User
    district: User
    auditor: User
    resident: User
    outsider: User  # grid worker of grid C, another street
    gate: Building  # grid A
    shop: Building  # grid A
    school: Building  # grid A
    grid_b: Building
    grid_c: Building
    category: Category


def make_beat() -> Beat:
    make_divisions()
    install_default_categories(Category)
    return Beat(
        worker=make_user(Role.GRID_WORKER, GRID_A, username="worker-a"),
        colleague=make_user(Role.GRID_WORKER, GRID_A, username="worker-a2"),
        community=make_user(Role.COMMUNITY_STAFF, COMMUNITY_1, username="community-1"),
        street=make_user(Role.STREET_OFFICER, STREET_1, username="street-1"),
        district=make_user(Role.DISTRICT_ADMIN, DISTRICT, username="district"),
        auditor=make_user(Role.AUDITOR, DISTRICT, username="auditor"),
        resident=make_user(Role.RESIDENT, GRID_A, username="resident"),
        outsider=make_user(Role.GRID_WORKER, GRID_C, username="worker-c"),
        gate=make_building(GRID_A, name="1栋"),
        shop=make_building(GRID_A, name="2栋商铺"),
        school=make_building(GRID_A, name="3栋"),
        grid_b=make_building(GRID_B, name="9栋"),
        grid_c=make_building(GRID_C, name="5栋"),
        category=Category.objects.get(code="fire-passage"),
    )


@pytest.fixture
def beat(db) -> Beat:
    return make_beat()
