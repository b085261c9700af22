"""The rules of cases, tests, venues, visits and listed contacts: validation, role, scope,
history, and what each announces to the risk grades."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.epidemic.conftest import at, confirmed, days_ago
from tests.factories import GRID_C, SYSTEM, centre_of
from wangge.epidemic.models import Case, CaseStatus, Exposure, VenueVisit
from wangge.epidemic.services import (
    MAX_VISITS,
    Visit,
    case_record,
    case_test_add,
    case_update,
    exposure_add,
    venue_create,
    visit_record,
    visits_record,
)
from wangge.places.services import facility_create


def test_a_case_is_recorded_with_its_history_and_announced(world_town, announced):
    town = world_town.town
    case = confirmed(world_town)
    assert case.grid_code == town.head.grid_code
    assert case.recorded_by == town.worker
    [row] = case.history.all()
    assert row.history_user == town.worker
    assert announced == [{"persons": {town.head.pk}, "buildings": {town.building.pk},
                          "venues": set()}]


@pytest.mark.parametrize(("fields", "field"), [
    ({"confirmed_on": None}, "confirmed_on"),
    ({"reported_on": days_ago(-1)}, "reported_on"),
    ({"confirmed_on": days_ago(5)}, "confirmed_on"),  # before the onset
    ({"onset_on": days_ago(400)}, "onset_on"),
    ({"status": CaseStatus.RECOVERED}, "ended_on"),
    ({"status": CaseStatus.EXCLUDED, "ended_on": days_ago(0)}, "status"),
    ({"ended_on": days_ago(0)}, "ended_on"),  # an open case has no end
    ({"status": "cured"}, "status"),
    ({"source": "rumour"}, "source"),
])
def test_the_dates_follow_the_status(world_town, fields, field):
    with pytest.raises(ValidationError) as refused:
        confirmed(world_town, **fields)
    assert field in refused.value.message_dict
    assert not Case.objects.exists()


def test_one_open_case_per_person(world_town):
    confirmed(world_town)
    with pytest.raises(ValidationError) as refused:
        confirmed(world_town)
    assert "person" in refused.value.message_dict


def test_role_and_scope(world_town):
    town = world_town.town
    for user in (town.volunteer, town.street, town.auditor):
        with pytest.raises(PermissionDenied):
            confirmed(world_town, by=user)
    with pytest.raises(ValidationError) as refused:
        confirmed(world_town, by=town.outsider)
    assert "person" in refused.value.message_dict
    with pytest.raises(TypeError):
        case_record(person=town.head, status="suspected", source="self",
                    reported_on=days_ago(0), by=None)
    assert confirmed(world_town, by=town.department).pk  # an institution's (CDC) account


def test_the_status_moves_only_forward_with_a_reason(world_town, announced):
    town = world_town.town
    case = case_record(person=town.head, status=CaseStatus.SUSPECTED, source="check_in",
                       reported_on=days_ago(2), by=town.worker)
    with pytest.raises(ValidationError) as refused:
        case_update(case=case, by=town.worker, reason="", status=CaseStatus.CONFIRMED,
                    confirmed_on=days_ago(1))
    assert "reason" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        case_update(case=case, by=town.worker, reason="核酸阳性", status=CaseStatus.CONFIRMED)
    assert "confirmed_on" in refused.value.message_dict
    case_update(case=case, by=town.worker, reason="核酸阳性", status=CaseStatus.CONFIRMED,
                confirmed_on=days_ago(1))
    with pytest.raises(ValidationError) as refused:
        case_update(case=case, by=town.worker, reason="改回", status=CaseStatus.SUSPECTED,
                    confirmed_on=None)
    assert "status" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        case_update(case=case, by=town.worker, reason="x", person=town.spouse)
    assert "person" in refused.value.message_dict
    case_update(case=case, by=town.worker, reason="出院", status=CaseStatus.RECOVERED,
                ended_on=days_ago(0))
    case.refresh_from_db()
    assert case.status == CaseStatus.RECOVERED
    reasons = [row.history_change_reason for row in case.history.order_by("history_date")]
    assert reasons[1:] == ["核酸阳性", "出院"]
    assert len(announced) == 3
    with pytest.raises(ValidationError):
        case_update(case=case, by=town.outsider, reason="x", source_detail="y")


def test_a_source_case_makes_no_loop(world_town):
    town = world_town.town
    first = confirmed(world_town)
    second = confirmed(world_town, person=town.spouse, source_case=first)
    with pytest.raises(ValidationError) as refused:
        case_update(case=first, by=town.worker, reason="溯源", source_case=second)
    assert "source_case" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        case_update(case=first, by=town.worker, reason="溯源", source_case=first)
    assert "source_case" in refused.value.message_dict


def test_tests_behind_a_case(world_town):
    town = world_town.town
    case = confirmed(world_town)
    test = case_test_add(case=case, kind="pcr", taken_on=days_ago(1), positive=True,
                         laboratory="市疾控", by=town.worker)
    assert list(case.tests.all()) == [test]
    with pytest.raises(ValidationError) as refused:
        case_test_add(case=case, kind="pcr", taken_on=days_ago(-1), positive=True,
                      by=town.worker)
    assert "taken_on" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        case_test_add(case=case, kind="pcr", taken_on=days_ago(1), positive=True,
                      by=town.volunteer)


def test_a_venue_code_per_place(world_town):
    town = world_town.town
    venue = world_town.venue
    assert len(venue.code) == 12
    assert venue.grid_code == town.head.grid_code
    with pytest.raises(ValidationError) as refused:
        venue_create(facility=venue.facility, by=town.worker)
    assert "facility" in refused.value.message_dict
    with pytest.raises(ValidationError):
        venue_create(by=town.worker)
    lon, lat = centre_of(GRID_C)
    elsewhere = facility_create(name="药店", kind="pharmacy", address="路9号", longitude=lon,
                                latitude=lat, by=SYSTEM)
    with pytest.raises(ValidationError) as refused:
        venue_create(facility=elsewhere, by=town.worker)
    assert "facility" in refused.value.message_dict


def test_a_visit_is_a_bounded_window(world_town, announced):
    town, venue = world_town.town, world_town.venue
    visit = visit_record(venue=venue, person=town.head, arrived=at(2, 10), left=at(2, 11),
                         by=town.worker)
    assert visit.grid_code == venue.grid_code
    assert announced[-1] == {"persons": {town.head.pk}, "buildings": set(),
                             "venues": {venue.pk}}
    for arrived, left, field in ((at(2, 11), at(2, 10), "left"),
                                 (at(3, 10), at(1, 11), "left"),
                                 (at(60, 10), at(60, 11), "arrived")):
        with pytest.raises(ValidationError) as refused:
            visit_record(venue=venue, person=town.head, arrived=arrived, left=left,
                         by=town.worker)
        assert field in refused.value.message_dict
    tomorrow = at(-1, 10)
    with pytest.raises(ValidationError):
        visit_record(venue=venue, person=town.head, arrived=tomorrow,
                     left=tomorrow + datetime.timedelta(hours=1), by=town.worker)
    with pytest.raises(ValidationError) as refused:
        visit_record(venue=venue, person=town.in_c, arrived=at(2, 10), left=at(2, 11),
                     by=town.worker)
    assert "person" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        visits_record(venue=venue, by=town.worker,
                      visits=[Visit(town.head, at(2, 10), at(2, 11))] * (MAX_VISITS + 1))
    assert "visits" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        visits_record(venue=venue, by=town.worker, visits=[
            Visit(town.head, at(2, 10), at(2, 11)), Visit(town.spouse, at(2, 11), at(2, 10))])
    assert set(refused.value.message_dict) == {"visits.1.left"}
    assert VenueVisit.objects.count() == 1
    with pytest.raises(ValidationError):
        visit_record(venue=venue, person=town.head, arrived=at(2, 10), left=at(2, 11),
                     by=town.outsider)


def test_a_listed_contact(world_town, announced):
    town = world_town.town
    case = confirmed(world_town)
    exposure = exposure_add(case=case, person=town.neighbour, last_contact_on=days_ago(2),
                            note="同乘电梯", by=town.worker)
    assert (exposure.degree, exposure.kind, exposure.via) == ("close", "listed", None)
    assert exposure.history.count() == 1
    assert announced[-1]["persons"] == {town.neighbour.pk}
    for person, field in ((town.neighbour, "person"), (town.head, "person")):
        with pytest.raises(ValidationError) as refused:
            exposure_add(case=case, person=person, last_contact_on=days_ago(2),
                         by=town.worker)
        assert field in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        exposure_add(case=case, person=town.spouse, last_contact_on=days_ago(-2),
                     by=town.worker)
    assert "last_contact_on" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        exposure_add(case=case, person=town.in_c, last_contact_on=days_ago(2),
                     by=town.worker)
    assert "person" in refused.value.message_dict
    assert Exposure.objects.count() == 1
