"""The event loop's small world (tests/events/conftest.py) with buildings for the public:
two in community 1 (grids A and B), one in community 2 (grid C), and an Open311 key."""

from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.test import Client

from tests.events.conftest import Loop, decoded_in, make_loop  # noqa: F401 (a fixture)
from tests.factories import COMMUNITY_1, GRID_A, GRID_B, GRID_C, make_building
from wangge.open311.models import Open311Key
from wangge.open311.services import open311_key_create
from wangge.places.models import Building


@pytest.fixture(autouse=True)
def fresh_limits(db):
    """Rate limits count in the cache (a database table, outside the test's transaction
    when another process wrote it), which outlives a test."""
    cache.clear()
    yield
    cache.clear()


@dataclass
class Public:
    loop: Loop
    house_a: Building  # grid A, community 1
    house_b: Building  # grid B, community 1
    house_c: Building  # grid C, community 2
    key: Open311Key  # bound to community 1
    secret: str


def make_public() -> Public:
    loop = make_loop()
    key, secret = open311_key_create(name="12345 hotline", jurisdiction_code=COMMUNITY_1)
    return Public(loop=loop, house_a=make_building(GRID_A, name="幸福里3栋"),
                  house_b=make_building(GRID_B, name="幸福里8栋"),
                  house_c=make_building(GRID_C, name="天声苑1栋"), key=key, secret=secret)


@pytest.fixture
def public(db) -> Public:
    return make_public()


@pytest.fixture
def resident() -> Client:
    """A phone with no account, reading English."""
    return Client(headers={"Accept-Language": "en"})
