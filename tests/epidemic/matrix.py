"""The cases and venues the access matrices (tests/api/test_access_matrix.py,
tests/web/test_page_matrix.py, tests/core/test_admin_scope.py) work on."""

import datetime
from typing import Any

from django.utils import timezone

from tests.api.helpers import credit_code
from tests.factories import SYSTEM, centre_of, make_person
from wangge.epidemic.services import case_record, venue_create
from wangge.places.services import enterprise_create, facility_create

_serial = iter(range(5000, 6000))


def make_case(grid: str) -> Any:
    """A suspected case of a resident of ``grid``."""
    return case_record(person=make_person(grid, name="病"), status="suspected", source="self",
                       reported_on=timezone.localdate(), by=SYSTEM)


def make_venue(grid: str) -> Any:
    lon, lat = centre_of(grid)
    shop = enterprise_create(name="超市", credit_code=credit_code(next(_serial)),
                             address="路5号", longitude=lon, latitude=lat, by=SYSTEM)
    return venue_create(enterprise=shop, by=SYSTEM)


def epidemic_records(grid: str) -> dict[str, Any]:
    """A suspected case, a venue, and a facility without a venue code yet."""
    lon, lat = centre_of(grid)
    return {"case": make_case(grid), "venue": make_venue(grid),
            "venue_place": facility_create(name="诊所", kind="clinic", address="路6号",
                                           longitude=lon, latitude=lat, by=SYSTEM)}


def a_visit(records: dict[str, Any]) -> dict[str, Any]:
    left = timezone.now() - datetime.timedelta(hours=1)
    return {"visits": [{"person_id": records["person"].pk,
                        "arrived": (left - datetime.timedelta(hours=1)).isoformat(),
                        "left": left.isoformat()}]}
