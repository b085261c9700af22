"""Satisfaction per grid and per department, over a period and within the caller's
jurisdiction: the figures (events.figures), the cockpit (page and API) and a department's
own on its to-do home. Every number is counted by hand from ``rated`` below."""

import datetime

import pytest
import time_machine

from tests.factories import (
    COMMUNITY_1,
    DISTRICT,
    GRID_A,
    GRID_B,
    STREET_1,
    STREET_2,
    make_user,
)
from wangge.events.figures import (
    Period,
    Satisfied,
    satisfaction_by_area,
    satisfaction_by_organization,
    satisfaction_of_own_organizations,
    satisfaction_totals,
)
from wangge.foundation.permissions import Role

from .requests_world import answer_and_close, ask, make_requests, rate

pytestmark = pytest.mark.django_db
# Monday 6 May 2024, 09:00 in Wuhan; the last rating two days later.
MAY_6 = datetime.date(2024, 5, 6)
START = datetime.datetime(2024, 5, 6, 1, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)
WEEK = Period(MAY_6, MAY_6 + 6 * DAY)


@pytest.fixture
def rated(db):
    """Ratings of residents' requests:

    - grid A: one handled by the police, satisfied; one handled by the police, not
      satisfied (reopened at the community), then by the city department, basically;
    - grid B: one handled by the city department, satisfied;
    - grid C (street 2): one handled by the police, not satisfied, on 8 May.
    """
    world = make_requests()
    loop = world.loop
    with time_machine.travel(START, tick=False) as clock:
        first = ask(world.resident)
        answer_and_close(world, first, loop.police)
        rate(world.resident, first, "satisfied")
        second = ask(world.neighbour)
        answer_and_close(world, second, loop.police)
        rate(world.neighbour, second, "unsatisfied")
        clock.shift(datetime.timedelta(hours=1))  # answered again later
        second.refresh_from_db()
        answer_and_close(world, second, world.city, triage=loop.community)
        rate(world.neighbour, second, "basically")
        in_b = ask(world.resident_b)
        answer_and_close(world, in_b, world.city, triage=loop.community)
        rate(world.resident_b, in_b, "satisfied")
        clock.shift(2 * DAY)
        in_c = ask(world.resident_c)
        answer_and_close(world, in_c, loop.police, triage=loop.outsider)
        rate(world.resident_c, in_c, "unsatisfied")
    return world


def counts(figures: Satisfied) -> tuple:
    return (figures.ratings, figures.satisfied, figures.basically, figures.unsatisfied)


def test_totals_per_area_and_share(rated):
    district = rated.loop.district
    totals = satisfaction_totals(district, [""], WEEK)
    assert counts(totals) == (5, 2, 1, 2)
    assert totals.satisfied_share == pytest.approx(2 / 5)
    streets = satisfaction_by_area(district, [DISTRICT[:6]], WEEK, 9)
    assert {code: counts(figures) for code, figures in streets.items()} == {
        STREET_1[:9]: (4, 2, 1, 1), STREET_2[:9]: (1, 0, 0, 1)}
    assert streets[STREET_2[:9]].satisfied_share == 0
    grids = satisfaction_by_area(district, [COMMUNITY_1], WEEK, 15)
    assert {code: counts(figures) for code, figures in grids.items()} == {
        GRID_A: (3, 1, 1, 1), GRID_B: (1, 1, 0, 0)}
    assert grids[GRID_A].satisfied_share == pytest.approx(1 / 3)
    assert Satisfied().satisfied_share is None


def test_per_department(rated):
    police, city = rated.loop.police, rated.city
    departments = satisfaction_by_organization(rated.loop.district, [""], WEEK)
    assert [(organization, counts(figures)) for organization, figures in departments] == [
        (police, (3, 1, 0, 2)), (city, (2, 1, 1, 0))]
    # Within community 1 alone: grid C's rating is not counted.
    departments = satisfaction_by_organization(rated.loop.district, [COMMUNITY_1], WEEK)
    assert [(organization, counts(figures)) for organization, figures in departments] == [
        (police, (2, 1, 0, 1)), (city, (2, 1, 1, 0))]


def test_the_period_counts_ratings_given_in_it(rated):
    district = rated.loop.district
    assert counts(satisfaction_totals(district, [""], Period(MAY_6, MAY_6))) == (4, 2, 1, 1)
    assert counts(satisfaction_totals(district, [""], Period(MAY_6 + 2 * DAY,
                                                             MAY_6 + 2 * DAY))) == (1, 0, 0, 1)
    assert counts(satisfaction_totals(district, [""], Period(MAY_6 + DAY,
                                                             MAY_6 + DAY))) == (0, 0, 0, 0)


def test_the_figures_stay_in_the_callers_jurisdiction(rated):
    street_2 = make_user(Role.STREET_OFFICER, STREET_2)
    assert counts(satisfaction_totals(street_2, [""], WEEK)) == (1, 0, 0, 1)
    assert [(organization, counts(figures)) for organization, figures in
            satisfaction_by_organization(street_2, [""], WEEK)] == [
        (rated.loop.police, (1, 0, 0, 1))]
    # Asking for another jurisdiction's area gives nothing of it.
    assert satisfaction_by_area(street_2, [COMMUNITY_1], WEEK, 15) == {}
    assert counts(satisfaction_totals(rated.loop.worker, [""], WEEK)) == (3, 1, 1, 1)
    # A role that does not see events counts nothing.
    system_admin = make_user(Role.SYSTEM_ADMIN, DISTRICT)
    assert counts(satisfaction_totals(system_admin, [""], WEEK)) == (0, 0, 0, 0)


def test_a_departments_own_figure_on_its_home(rated, page_as):
    desk = rated.loop.department  # the police's desk, answering for the district
    own = satisfaction_of_own_organizations(desk, WEEK)
    assert [(organization, counts(figures)) for organization, figures in own] == [
        (rated.loop.police, (3, 1, 0, 2))]
    # A desk that answers for no organization has no figure.
    assert satisfaction_of_own_organizations(rated.loop.other_department, WEEK) == []
    with time_machine.travel(START + 3 * DAY, tick=False):
        home = page_as(desk).get("/").content.decode()
    assert 'id="satisfaction"' in home
    assert rated.loop.police.name in home
    assert "33.3%" in home
    assert 'id="satisfaction"' not in page_as(rated.loop.other_department).get("/").content.decode()


def test_the_cockpit_shows_satisfaction_per_unit_and_department(rated, page_as, client):
    period = {"from": "2024-05-06", "to": "2024-05-12"}
    with time_machine.travel(START + 7 * DAY, tick=False):
        page = page_as(rated.loop.district).get("/cockpit/", period).content.decode()
        client.force_login(rated.loop.community)
        answer = client.get(f"/api/v1/cockpit/{COMMUNITY_1}",
                            {"from": "2024-05-06", "to": "2024-05-12"}).json()
        street_2 = make_user(Role.STREET_OFFICER, STREET_2)
        client.force_login(street_2)
        theirs = client.get("/api/v1/cockpit", period).json()
    assert 'id="satisfaction-panel"' in page
    assert "40.0%" in page  # the district: 2 of 5
    assert rated.city.name in page
    satisfaction = answer["satisfaction"]
    assert satisfaction["totals"] == {"ratings": 4, "satisfied": 2, "basically": 1,
                                      "unsatisfied": 1, "satisfied_share": 0.5}
    assert [(area["unit"]["code"], area["ratings"], area["satisfied"])
            for area in satisfaction["areas"]] == [(GRID_A, 3, 1), (GRID_B, 1, 1)]
    assert [(entry["name"], entry["ratings"], entry["unsatisfied"])
            for entry in satisfaction["departments"]] == [
        (rated.loop.police.name, 2, 1), (rated.city.name, 2, 0)]
    assert theirs["satisfaction"]["totals"]["ratings"] == 1
    assert [entry["organization_id"] for entry in theirs["satisfaction"]["departments"]] == [
        rated.loop.police.pk]
