"""A small city for the cockpit: the event loop's world (tests/events/conftest.py) with a few
events in each street, residents in two grids, and a patrol that visited one building.

Grid A and B are in community 1 (street 1), grid C in community 2 (street 2)."""

from dataclasses import dataclass

import pytest

from tests.events.conftest import Loop, make_loop
from tests.factories import GRID_A, GRID_B, GRID_C, make_building, make_person
from wangge.events.models import Event
from wangge.events.services import event_transition
from wangge.patrols.services import patrol_end, patrol_start, patrol_visit


@dataclass
class City:
    loop: Loop
    closed: Event  # grid A, closed
    overdue: Event  # grid B, open and past its deadline


def make_city() -> City:
    loop = make_loop()
    event_transition(event=loop.report(), name="decline", by=loop.worker, comment="重复上报")
    closed = loop.report()
    closed = event_transition(event=closed, name="accept", by=loop.worker)
    closed = event_transition(event=closed, name="dispatch", by=loop.worker,
                              organization=loop.police)
    for step in ("start", "feedback"):
        closed = event_transition(event=closed, name=step, by=loop.department, comment="已修复")
    for step in ("verify", "close"):
        closed = event_transition(event=closed, name=step, by=loop.worker)
    overdue = loop.report(by=loop.community, grid=GRID_B, priority="urgent")
    Event.objects.filter(pk=overdue.pk).update(deadline=overdue.reported_at)  # due at once
    loop.report(by=loop.outsider, grid=GRID_C, channel="public")
    make_person(GRID_A, name="甲居民", vulnerable_tags=["elderly_alone"],
                residence_type="renting")
    make_person(GRID_B, name="乙居民")
    make_person(GRID_C, name="丙居民", vulnerable_tags=["disabled", "low_income"])
    gate, _shed = make_building(GRID_A, name="1号门"), make_building(GRID_A, name="2号楼")
    # (each resident brings a building of their own: grid A has three, B and C one each)
    patrol = patrol_start(grid_code=GRID_A, by=loop.worker)
    patrol_visit(patrol=patrol, building=gate, by=loop.worker)
    patrol_end(patrol=patrol, by=loop.worker)
    return City(loop=loop, closed=closed, overdue=overdue)


@pytest.fixture
def city(db) -> City:
    return make_city()
