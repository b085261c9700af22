"""A small world for public alerts: grids A and B (community 1, street 1) and C (street 2);
community staff of community 1 who publish, the grid worker of grid A and of grid C, a
volunteer of community 1 (an exercise's participant) and a street officer of street 2."""

from dataclasses import dataclass

import pytest

from tests.factories import (
    COMMUNITY_1,
    GRID_A,
    GRID_B,
    GRID_C,
    STREET_2,
    make_divisions,
    make_user,
)
from wangge.access.models import User
from wangge.alerts.services import alert_publish
from wangge.divisions.models import Grid
from wangge.foundation.permissions import Role

INFO = {"category": "Met", "event": "暴雨", "urgency": "Expected", "severity": "Severe",
        "certainty": "Likely", "headline": "暴雨橙色预警",
        "description": "预计未来6小时降雨量将达50毫米以上。",
        "instruction": "低洼地带居民及时转移。"}


@dataclass
class World:
    grids: list[Grid]  # A and B
    grid_c: Grid
    staff: User  # community staff of community 1: publishes
    worker_a: User  # grid worker of grid A
    worker_c: User  # grid worker of grid C
    volunteer: User  # community 1
    outsider: User  # street officer of street 2

    def publish(self, **changes):
        fields = {**INFO, "grids": self.grids, "status": "Actual", "by": self.staff,
                  "reason": "气象台发布", **changes}
        return alert_publish(**fields)


def make_world() -> World:
    make_divisions()
    return World(
        grids=list(Grid.objects.filter(code__in=[GRID_A, GRID_B])),
        grid_c=Grid.objects.get(code=GRID_C),
        staff=make_user(Role.COMMUNITY_STAFF, COMMUNITY_1),
        worker_a=make_user(Role.GRID_WORKER, GRID_A),
        worker_c=make_user(Role.GRID_WORKER, GRID_C),
        volunteer=make_user(Role.VOLUNTEER, COMMUNITY_1),
        outsider=make_user(Role.STREET_OFFICER, STREET_2),
    )


@pytest.fixture
def world(db):
    return make_world()
