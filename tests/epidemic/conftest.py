"""The health suite's town (tests/health/conftest.py), with a case's world around it: a
resident in the other unit of building 1, a venue in grid A, and a household in grid B whose
head was at the venue."""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from tests.factories import GRID_A, GRID_B, SYSTEM, centre_of, make_person, resident_id
from tests.health.conftest import Town, make_town
from wangge.epidemic.models import CaseStatus, Venue
from wangge.epidemic.services import case_record, venue_create
from wangge.health.signals import risk_inputs_changed
from wangge.people.models import Person
from wangge.people.services import household_add_member, household_create
from wangge.places.services import dwelling_create, facility_create


@dataclass
class World:
    town: Town
    other_unit: Person  # building 1, unit 2
    venue: Venue  # a clinic in grid A
    b_spouse: Person  # lives with town.in_b (grid B)


@pytest.fixture
def world_town(db) -> World:
    town = make_town()
    flat = dwelling_create(building=town.building, unit=2, floor=3, room="301", by=SYSTEM)
    other_unit = make_person(GRID_A, name="周九", dwelling=flat,
                             id_number=resident_id(datetime.date(1990, 9, 9)))
    lon, lat = centre_of(GRID_A)
    clinic = facility_create(name="社区卫生站", kind="clinic", address="路1号", longitude=lon,
                             latitude=lat, by=SYSTEM)
    venue = venue_create(facility=clinic, by=SYSTEM)
    in_b = town.in_b
    b_spouse = make_person(GRID_B, name="吴十", dwelling=in_b.dwelling, sex="F",
                           id_number=resident_id(datetime.date(1985, 1, 1), male=False))
    household = household_create(head=in_b, by=SYSTEM)
    household_add_member(household=household, person=b_spouse, relationship="spouse",
                         by=SYSTEM)
    town.in_b = Person.objects.get(pk=in_b.pk)
    return World(town=town, other_unit=other_unit, venue=venue,
                 b_spouse=Person.objects.get(pk=b_spouse.pk))


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def at(days: int, hour: int, minute: int = 0) -> datetime.datetime:
    """A local time ``days`` ago."""
    day = days_ago(days)
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour, minute))


@pytest.fixture(autouse=True)
def pages_in_english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def announced():
    """What the services announce to the risk grades, in order."""
    heard = []

    def listen(sender, signal, **touched):
        heard.append(touched)

    risk_inputs_changed.connect(listen)
    yield heard
    risk_inputs_changed.disconnect(listen)


def confirmed(world, person=None, by=None, **fields):
    town = world.town
    values = {"status": CaseStatus.CONFIRMED, "source": "hospital",
              "reported_on": days_ago(1), "onset_on": days_ago(3),
              "confirmed_on": days_ago(1), **fields}
    return case_record(person=person or town.head, by=by or town.worker, **values)
