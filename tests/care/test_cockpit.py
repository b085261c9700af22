"""The share of people visited on time on the cockpit: per unit one level down, on the page
(a chart and its table) and in the API; not for a role that sees circumstances masked."""

import datetime

import pytest
import time_machine

from tests.care.conftest import JOINED
from tests.care.test_visits import day, visit
from tests.factories import COMMUNITY_1, DISTRICT, GRID_A, STREET_1, STREET_2, make_user
from wangge.cockpit.selectors import care_visits, cockpit_unit
from wangge.events.figures import period_of
from wangge.foundation.permissions import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def care(world):
    from tests.care.conftest import make_care

    with time_machine.travel(day(0), tick=False):
        made = make_care()
    with time_machine.travel(day(8), tick=False):
        visit(made, made.alone)
    return made


def figures(user, code, last):
    found = care_visits(user, cockpit_unit(user, code), period_of(last, last))
    return found and {unit.code: (figure.people, figure.on_time) for unit, figure in found}


def test_on_time_per_unit_one_level_down(care):
    last = JOINED + datetime.timedelta(days=10)
    with time_machine.travel(day(10), tick=False):
        assert figures(care.district, DISTRICT, last) == {STREET_1: (2, 2), STREET_2: (1, 0)}
        assert figures(care.community, COMMUNITY_1, last) == {
            GRID_A: (2, 2), COMMUNITY_1 + "002": (0, 0)}
        assert figures(care.community, GRID_A, last) == {GRID_A: (2, 2)}
        # A street officer oversees: sees the figure, though it visits no one.
        assert figures(make_user(Role.STREET_OFFICER, STREET_1), STREET_1, last) == {
            COMMUNITY_1: (2, 2)}
    # Ten days later nobody in grid A was visited in the week before.
    with time_machine.travel(day(20), tick=False):
        assert figures(care.community, GRID_A, last + datetime.timedelta(days=10)) == {
            GRID_A: (2, 1)}


def test_on_the_cockpit_page_and_in_the_api(care, page_as, client):
    with time_machine.travel(day(10), tick=False):
        page = page_as(care.community).get(f"/cockpit/{COMMUNITY_1}/")
        assert page.status_code == 200
        text = page.content.decode()
        assert 'data-chart="care_visits"' in text
        assert "Care visits on time" in text
        client.force_login(care.district)
        body = client.get(f"/api/v1/cockpit/{DISTRICT}").json()
        assert [(row["unit"]["code"], row["people"], row["on_time"], row["share"])
                for row in body["care_visits"]] == [(STREET_1, 2, 2, 1.0), (STREET_2, 1, 0, 0.0)]
