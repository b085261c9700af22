"""The records both access matrices work on (the API's in tests/api/test_access_matrix.py,
the pages' in tests/web/test_page_matrix.py): one of each kind in grid A, in the jurisdiction of
street 1, and one in grid C (street 2), outside it."""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from tests.alerts.matrix import alert_records
from tests.api.helpers import credit_code
from tests.emergency.matrix import emergency_records
from tests.epidemic.matrix import epidemic_records
from tests.events.matrix import event_records
from tests.factories import (
    COMMUNITY_1,
    COMMUNITY_2,
    GRID_A,
    GRID_C,
    GRID_ORIGIN,
    SYSTEM,
    centre_of,
    make_building,
    make_divisions,
    make_dwelling,
    make_person,
    make_user,
    resident_id,
    square,
)
from tests.linkage.matrix import linkage_records
from tests.measures.matrix import measure_records
from tests.patrols.matrix import patrol_records
from tests.resources.matrix import resource_records
from wangge.divisions.services import division_create, grid_create
from wangge.foundation.permissions import Role
from wangge.health.models import CheckInChannel, EnteredBy
from wangge.health.services import answer_checked, check_in_record
from wangge.imports.models import QueuedRow
from wangge.organizations.services import membership_add, organization_create
from wangge.people.services import household_create, household_remove_member, person_update
from wangge.places.services import dwelling_create, enterprise_create, facility_create

IN, OUT = True, False


@dataclass(frozen=True)
class Scene:
    """One record of each kind in grid A (in scope) and grid C (out of scope)."""

    records: dict[bool, dict[str, Any]]

    def __getitem__(self, side: bool) -> dict[str, Any]:
        return self.records[side]


def _records(grid: str, serial: int) -> dict[str, Any]:
    lon, lat = centre_of(grid)
    person = make_person(grid, name="甲", health_status="chronic",
                         vulnerable_tags=["elderly_alone"])
    person_update(person=person, by=SYSTEM, reason="更正电话",
                  phone=f"139{serial:08d}", health_status="serious",
                  id_number=resident_id(datetime.date(1956, 3, 4)))
    emptied = household_create(head=make_person(grid, name="丁"), by=SYSTEM)
    household_remove_member(household=emptied, person=emptied.head, by=SYSTEM, reason="迁出")
    club = organization_create(name="党支部", kind="party", grid_code=grid, by=SYSTEM)
    member = make_person(grid, name="戊")
    membership_add(organization=club, person=member, title="书记", by=SYSTEM)
    community = COMMUNITY_1 if grid == GRID_A else COMMUNITY_2
    account = make_user(Role.GRID_WORKER, grid)
    head = make_person(grid, name="丙")
    building = make_building(grid, name="3栋")
    # Another person's check-in today (the person's own stays to be entered by the matrix).
    check_in_record(person=head, answer=answer_checked(temperature="36.5"), by=SYSTEM,
                    entered_by=EnteredBy.GRID_WORKER, channel=CheckInChannel.PAGE)
    return {
        "grid": grid,
        "division": community,
        "person": person,
        "homeless": make_person(grid, name="乙", dwelling=make_dwelling(grid, room="201")),
        "household": household_create(head=head, by=SYSTEM),
        "head": head,
        "building": building,
        "dwelling": dwelling_create(building=building, unit=1, floor=1, room="101", by=SYSTEM),
        "empty_building": make_building(grid, name="空楼"),
        "spare": make_dwelling(grid, room="301"),
        "facility": facility_create(name="卫生站", kind="clinic", address="路1号",
                                    longitude=lon, latitude=lat, by=SYSTEM),
        "enterprise": enterprise_create(name="小店", credit_code=credit_code(serial),
                                        address="路2号", longitude=lon, latitude=lat, by=SYSTEM),
        "organization": organization_create(name="志愿队", kind="volunteer_team",
                                            grid_code=grid, by=SYSTEM),
        "empty_household": emptied,
        "account": account,
        "club": club,
        "member": member,
        "empty_grid": grid_create(code=community + "008", name="空网格",
                                  boundary=square(GRID_ORIGIN[grid][0], 30.80), by=SYSTEM).code,
        "empty_division": division_create(code=community[:9] + "005", name="空社区",
                                          by=SYSTEM).code,
        "queued": QueuedRow.objects.create(
            grid_code=grid, source="a.csv", row_number=2, address="3栋1单元101", reason="?",
            values={"name": "甲", "address": "3栋1单元101"}),
        **event_records(grid),
        **linkage_records(grid),
        **patrol_records(grid),
        **epidemic_records(grid),
        **measure_records(grid),
        **emergency_records(grid),
        **alert_records(grid),
        **resource_records(grid),
    }


@contextmanager
def scene_built() -> Iterator[Scene]:
    """The scene, inside a transaction rolled back at the end (see the ``scene`` fixture)."""
    with transaction.atomic():
        make_divisions()
        yield Scene({IN: _records(GRID_A, 1), OUT: _records(GRID_C, 2)})
        transaction.set_rollback(True)
