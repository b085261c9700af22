"""A small world of emergency resources: the community office of community 1 owns a depot in
grid A with two lines, another community's office owns one in grid C (out of scope for
community 1 and street 1); staff of every role that reads or keeps them."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest

from tests.factories import (
    COMMUNITY_1,
    COMMUNITY_2,
    DISTRICT,
    GRID_A,
    GRID_B,
    GRID_C,
    STREET_1,
    SYSTEM,
    centre_of,
    make_divisions,
    make_user,
    shipped_rows,
)
from wangge.access.models import User
from wangge.foundation.permissions import Role
from wangge.organizations.models import Organization
from wangge.organizations.services import organization_create
from wangge.resources.models import Depot, Material, MaterialCategory
from wangge.resources.services import depot_create, material_create, supply_request_create


@dataclass
class World:
    office: Organization  # community 1
    other_office: Organization  # community 2
    depot: Depot  # grid A
    outside_depot: Depot  # grid C
    water: Material  # in the depot, 100 boxes, threshold 20
    masks: Material  # in the depot, expiring in ten days
    worker: User
    community: User
    street: User
    district: User
    department: User
    auditor: User
    outsider: User  # community staff of community 2
    resident: User

    def category(self, code: str) -> MaterialCategory:
        return MaterialCategory.objects.get(code=code)


def make_world() -> World:
    shipped_rows("resources.migrations.0002_material_categories")
    make_divisions()
    office = organization_create(name="民意社区居委会", kind="department",
                                 grid_code=COMMUNITY_1, by=SYSTEM)
    other = organization_create(name="天声街社区居委会", kind="department",
                                grid_code=COMMUNITY_2, by=SYSTEM)
    lon, lat = centre_of(GRID_A)
    depot = depot_create(name="民意储备点", address="民意路1号", owner=office, longitude=lon,
                         latitude=lat, contact_name="李强", contact_phone="138 0013 8000",
                         by=SYSTEM, reason="建库")
    lon_c, lat_c = centre_of(GRID_C)
    outside = depot_create(name="天声储备点", address="天声路2号", owner=other,
                           longitude=lon_c, latitude=lat_c, by=SYSTEM, reason="建库")
    water = material_create(depot=depot, category=MaterialCategory.objects.get(code="water"),
                            item="瓶装水", quantity=Decimal(100), unit="箱",
                            low_stock_threshold=Decimal(20), by=SYSTEM, reason="入库")
    masks = material_create(
        depot=depot, category=MaterialCategory.objects.get(code="protection"),
        item="医用口罩", quantity=Decimal(500), unit="个",
        expires_on=datetime.date.today() + datetime.timedelta(days=10), by=SYSTEM,
        reason="入库")
    return World(
        office=office, other_office=other, depot=depot, outside_depot=outside, water=water,
        masks=masks,
        worker=make_user(Role.GRID_WORKER, GRID_A),
        community=make_user(Role.COMMUNITY_STAFF, COMMUNITY_1),
        street=make_user(Role.STREET_OFFICER, STREET_1),
        district=make_user(Role.DISTRICT_ADMIN, DISTRICT),
        department=make_user(Role.DEPARTMENT_STAFF, STREET_1),
        auditor=make_user(Role.AUDITOR, DISTRICT),
        outsider=make_user(Role.COMMUNITY_STAFF, COMMUNITY_2),
        resident=make_user(Role.RESIDENT, COMMUNITY_1),
    )


@pytest.fixture
def world(db) -> World:
    return make_world()


@pytest.fixture
def case(world):
    """Depot A (grid A, 100 boxes) and depot B (grid B, 30 boxes, and 500 past expiry);
    grid A asks for 60 (urgent: priority 2), grid B for 80 for vulnerable residents
    (priority 1)."""
    lon, lat = centre_of(GRID_B)
    world.depot_b = depot_create(name="二网格储备点", address="民意路9号", owner=world.office,
                                 longitude=lon, latitude=lat, by=SYSTEM, reason="建库")
    water = MaterialCategory.objects.get(code="water")
    world.water_b = material_create(depot=world.depot_b, category=water, item="瓶装水",
                                    quantity=Decimal(30), unit="箱", by=SYSTEM, reason="入库")
    material_create(depot=world.depot_b, category=water, item="瓶装水", quantity=Decimal(500),
                    unit="箱", expires_on=datetime.date.today() - datetime.timedelta(days=1),
                    by=SYSTEM, reason="入库")
    world.worker_b = make_user(Role.GRID_WORKER, GRID_B)
    world.asks_a = supply_request_create(grid_code=GRID_A, category=water, item="瓶装水",
                                         unit="箱", quantity=60, urgency="urgent",
                                         why="停水", by=world.worker)
    world.asks_b = supply_request_create(grid_code=GRID_B, category=water, item="瓶装水",
                                         unit="箱", quantity=80, urgency="routine",
                                         for_vulnerable=True, why="独居老人停水",
                                         by=world.worker_b)
    return world
