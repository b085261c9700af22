"""A small world for the event loop: people at every level of it, a department with a
responder, and the default category tree.

Grid A and B are in community 1 (street 1), grid C in community 2 (street 2), all in one
district (see tests/factories.py).
"""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client

from tests.api.helpers import ApiClient
from tests.factories import (
    COMMUNITY_1,
    DISTRICT,
    GRID_A,
    GRID_C,
    STREET_1,
    SYSTEM,
    centre_of,
    make_divisions,
    make_user,
)
from wangge.access.models import User
from wangge.access.services import token_create
from wangge.events import photos
from wangge.events.default_categories import install_default_categories
from wangge.events.models import Category, Event, Responder
from wangge.events.services import event_report
from wangge.events.tally import tally_differences
from wangge.foundation.permissions import Role
from wangge.organizations.models import Organization
from wangge.organizations.services import organization_create


def install_categories() -> None:
    """The tree the data migration installs (a transactional test's flush removes it)."""
    install_default_categories(Category)


@dataclass
class Loop:
    """Everyone the loop passes through, and a department with its responder."""

    worker: User  # grid worker of grid A
    community: User  # community staff of community 1
    street: User  # street officer of street 1
    district: User  # district administrator
    department: User  # department staff, responder of ``police``
    other_department: User  # department staff, responder of nothing
    auditor: User
    outsider: User  # grid worker of grid C, another street
    police: Organization
    category: Category

    def report(self, by: User | None = None, grid: str = GRID_A, **fields) -> Event:
        lon, lat = centre_of(grid)
        fields.setdefault("longitude", lon)
        fields.setdefault("latitude", lat)
        fields.setdefault("description", "井盖缺失，行人易跌落")
        return event_report(category=fields.pop("category", self.category),
                            by=by if by is not None else self.worker, **fields)


def make_loop() -> Loop:
    make_divisions()
    install_categories()
    department = make_user(Role.DEPARTMENT_STAFF, DISTRICT, username="police-desk")
    police = organization_create(name="江岸区公安分局", kind="department", grid_code=DISTRICT,
                                 by=SYSTEM)
    Responder.objects.create(organization=police, user=department)
    return Loop(
        worker=make_user(Role.GRID_WORKER, GRID_A, username="worker-a"),
        community=make_user(Role.COMMUNITY_STAFF, COMMUNITY_1, username="community-1"),
        street=make_user(Role.STREET_OFFICER, STREET_1, username="street-1"),
        district=make_user(Role.DISTRICT_ADMIN, DISTRICT, username="district"),
        department=department,
        other_department=make_user(Role.DEPARTMENT_STAFF, DISTRICT, username="health-desk"),
        auditor=make_user(Role.AUDITOR, DISTRICT, username="auditor"),
        outsider=make_user(Role.GRID_WORKER, GRID_C, username="worker-c"),
        police=police,
        category=Category.objects.get(code="manhole-cover"),
    )


@pytest.fixture
def loop(db) -> Iterator[Loop]:
    yield make_loop()
    # Whatever a test did through the services, the cockpit's tally is still a recount of the
    # events (a service that changes an event without ``tally_refresh`` fails here).
    assert tally_differences() == []


@pytest.fixture
def api_of(client):
    """``api_of(user)``: an API client with ``user``'s bearer token, reading English."""

    def login(user) -> ApiClient:
        return ApiClient(Client(), {"Authorization": f"Bearer {token_create(user=user)}",
                                    "Accept-Language": "en"})

    return login


@pytest.fixture
def decoded_in(db):
    """How many transactions were open (beyond the test's own) each time a photo was decoded."""
    depths: list[int] = []
    outside = len(connection.atomic_blocks)
    decode = photos._clean

    def watched(upload):
        depths.append(len(connection.atomic_blocks) - outside)
        return decode(upload)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(photos, "_clean", watched)
        yield depths
