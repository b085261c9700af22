"""A small world for lawful measures: a person in grid A with their grid worker (the person
responsible), community staff who propose, the street office holding the power to decide,
a street officer and a district administrator who may approve, and someone out of scope."""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from tests.factories import (
    COMMUNITY_1,
    DISTRICT,
    GRID_A,
    GRID_C,
    STREET_1,
    SYSTEM,
    make_building,
    make_divisions,
    make_person,
    make_user,
    shipped_rows,
)
from wangge.access.models import User
from wangge.foundation.permissions import Role
from wangge.measures.models import LegalBasis, Measure
from wangge.measures.services import measure_power_grant, measure_propose
from wangge.organizations.models import Organization
from wangge.organizations.services import organization_create
from wangge.people.models import Person
from wangge.places.models import Building


@dataclass
class World:
    person: Person  # grid A
    outsider_person: Person  # grid C
    building: Building  # grid A
    worker: User  # grid worker of grid A: the person responsible
    community: User  # community staff: proposes
    street: User  # street officer of street 1
    district: User  # district administrator
    department: User  # health authority staff (street 1)
    volunteer: User
    auditor: User
    street_office: Organization  # holds the power, street 1
    community_station: Organization  # holds the power, community 1
    no_power: Organization
    basis: LegalBasis  # 传染病防治法第三十九条

    def complete(self, **overrides) -> dict:
        """Every field a home monitoring measure needs."""
        today = timezone.localdate()
        fields = {
            "cause": "与确诊病例同乘K123次列车", "legal_basis": self.basis,
            "authority": self.street_office,
            "starts_on": today, "ends_on": today + datetime.timedelta(days=13),
            "responsible": self.worker, "notified_at": timezone.now(),
            "food": "社区代购，每日送达", "medicine": "家庭医生按需配送",
            "dependants_care": "无需照护",
            "appeal_channel": "向大智街道办事处申诉，电话 027-12345678"}
        fields.update(overrides)
        return fields

    def pending(self, **overrides) -> Measure:
        return measure_propose(kind="home_monitoring", person=self.person, by=self.community,
                               submit=True, **self.complete(**overrides))


def make_world() -> World:
    """The world of these tests; the legal bases are installed again because a transactional
    (browser) test starts from a flushed database, without the rows migrations wrote."""
    shipped_rows("measures.migrations.0002_legal_bases")
    make_divisions()
    street_office = organization_create(name="大智街道办事处", kind="department",
                                        grid_code=STREET_1, by=SYSTEM)
    station = organization_create(name="民意社区卫生服务站", kind="department",
                                  grid_code=COMMUNITY_1, by=SYSTEM)
    no_power = organization_create(name="物业公司", kind="property_company",
                                   grid_code=COMMUNITY_1, by=SYSTEM)
    every = ["home_monitoring", "home_isolation", "central_isolation", "building_control"]
    measure_power_grant(organization=street_office, kinds=every, by=SYSTEM, reason="授权")
    measure_power_grant(organization=station, kinds=["home_monitoring"], by=SYSTEM,
                        reason="授权")
    return World(
        person=make_person(GRID_A, name="张伟"),
        outsider_person=make_person(GRID_C, name="孙八"),
        building=make_building(GRID_A, name="5栋"),
        worker=make_user(Role.GRID_WORKER, GRID_A, username="worker-a"),
        community=make_user(Role.COMMUNITY_STAFF, COMMUNITY_1, username="community-1"),
        street=make_user(Role.STREET_OFFICER, STREET_1, username="street-1"),
        district=make_user(Role.DISTRICT_ADMIN, DISTRICT, username="district"),
        department=make_user(Role.DEPARTMENT_STAFF, STREET_1, username="health-bureau"),
        volunteer=make_user(Role.VOLUNTEER, STREET_1, username="volunteer"),
        auditor=make_user(Role.AUDITOR, DISTRICT, username="auditor"),
        street_office=street_office, community_station=station, no_power=no_power,
        basis=LegalBasis.objects.get(law__contains="传染病防治法", article="第三十九条"),
    )


@pytest.fixture
def world(db) -> World:
    return make_world()


@pytest.fixture(autouse=True)
def pages_in_english(settings):
    settings.LANGUAGE_CODE = "en"
