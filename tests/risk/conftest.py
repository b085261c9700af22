"""A small world for the risk grades: grids A and B of community 1 and grid C of another
street; buildings with residents; the staff who look at the grades (tests/factories.py)."""

import datetime
from dataclasses import dataclass, field
from itertools import count

import pytest

from tests.factories import (
    COMMUNITY_1,
    DISTRICT,
    GRID_A,
    GRID_B,
    GRID_C,
    STREET_1,
    SYSTEM,
    make_building,
    make_divisions,
    make_user,
    resident_id,
    shipped_rows,
)
from wangge.access.models import User
from wangge.epidemic.models import Case, Exposure
from wangge.foundation.permissions import Role
from wangge.health.models import CheckIn
from wangge.health.signals import risk_inputs_changed
from wangge.people.models import Person
from wangge.people.services import person_create
from wangge.places.models import Building, Dwelling
from wangge.places.services import dwelling_create

_births = count()


def new_person(dwelling: Dwelling, name: str = "张伟") -> Person:
    # Births spread over 70 years, never after today however many tests ran before.
    birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=next(_births) % 700 * 37)
    return person_create(name=name, dwelling=dwelling, id_number=resident_id(birth),
                         by=SYSTEM)


def announce(*persons: Person) -> None:
    """What the epidemic and health writers send inside their transaction."""
    risk_inputs_changed.send(sender=None, persons={person.pk for person in persons},
                             buildings=set(), venues=set())


def record_case(person: Person, status: str = "confirmed",
                on: datetime.date | None = None, *, announced: bool = True) -> Case:
    on = on or datetime.date.today()
    case = Case.objects.create(
        person=person, grid_code=person.grid_code, status=status, source="hospital",
        reported_on=on, confirmed_on=on if status in {"confirmed", "asymptomatic"} else None)
    if announced:
        announce(person)
    return case


def record_exposure(person: Person, case: Case, degree: str = "close",
                    on: datetime.date | None = None, via: Exposure | None = None) -> Exposure:
    exposure = Exposure.objects.create(
        case=case, person=person, grid_code=person.grid_code, degree=degree, kind="listed",
        via=via, last_contact_on=on or datetime.date.today())
    announce(person)
    return exposure


def record_check_in(person: Person, day: datetime.date | None = None,
                    alert: bool = True) -> CheckIn:
    day = day or datetime.date.today()
    check_in, _ = CheckIn.objects.update_or_create(
        person=person, day=day,
        defaults={"grid_code": person.grid_code, "temperature": "38.5" if alert else "36.5",
                  "alert": alert, "entered_by": "self", "channel": "page",
                  "at": datetime.datetime.now(datetime.UTC)})
    announce(person)
    return check_in


@dataclass
class World:
    tower: Building  # grid A
    annex: Building  # grid A
    corner: Building  # grid B
    far: Building  # grid C
    flats: dict[str, list[Dwelling]]
    people: dict[str, list[Person]]
    worker: User  # grid A
    community: User
    street: User
    district: User
    department: User
    volunteer: User
    auditor: User
    outsider: User  # grid worker of grid C
    extra: dict = field(default_factory=dict)


def make_world() -> World:
    """The world of these tests, with the default rules installed again (a transactional
    test starts from a flushed database)."""
    shipped_rows("risk.migrations.0002_default_rules")
    make_divisions()
    buildings = {"tower": make_building(GRID_A, name="1栋"),
                 "annex": make_building(GRID_A, name="2栋"),
                 "corner": make_building(GRID_B, name="3栋"),
                 "far": make_building(GRID_C, name="9栋")}
    flats, people = {}, {}
    for name, building in buildings.items():
        flats[name] = [dwelling_create(building=building, unit=1, floor=1, room=f"10{n}",
                                       by=SYSTEM) for n in (1, 2)]
        people[name] = [new_person(flat) for flat in flats[name] for _ in range(2)]
    return World(
        **buildings, flats=flats, people=people,
        worker=make_user(Role.GRID_WORKER, GRID_A, username="worker-a"),
        community=make_user(Role.COMMUNITY_STAFF, COMMUNITY_1, username="community-1"),
        street=make_user(Role.STREET_OFFICER, STREET_1, username="street-1"),
        district=make_user(Role.DISTRICT_ADMIN, DISTRICT, username="district"),
        department=make_user(Role.DEPARTMENT_STAFF, STREET_1, username="department"),
        volunteer=make_user(Role.VOLUNTEER, STREET_1, username="volunteer"),
        auditor=make_user(Role.AUDITOR, DISTRICT, username="auditor"),
        outsider=make_user(Role.GRID_WORKER, GRID_C, username="worker-c"),
    )


@pytest.fixture
def world(db) -> World:
    return make_world()


@pytest.fixture(autouse=True)
def pages_in_english(settings):
    settings.LANGUAGE_CODE = "en"
