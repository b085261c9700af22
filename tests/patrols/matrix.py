"""The patrol records the API access matrix (tests/api/test_access_matrix.py) works on."""

from typing import Any

from tests.factories import make_building, make_user
from wangge.foundation.permissions import Role
from wangge.patrols.services import patrol_start, patrol_visit


def patrol_records(grid: str) -> dict[str, Any]:
    """A grid worker's open patrol of ``grid`` with one building checked off, and a building
    of ``grid`` to visit."""
    patrol = patrol_start(grid_code=grid, by=make_user(Role.GRID_WORKER, grid))
    patrol_visit(patrol=patrol, building=make_building(grid, name="巡查楼"), by=patrol.patroller)
    return {"patrol": patrol, "patrol_building": make_building(grid, name="待查楼")}
