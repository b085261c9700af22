"""The risk map and dashboard: scope, counts per level and per area one level down, the 14-day
trend reconstructed from the changes, today's changes and why, persons masked by role, and
the pages."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from tests.factories import (
    COMMUNITY_1,
    DISTRICT,
    GRID_A,
    GRID_B,
    GRID_C,
    STREET_1,
    STREET_2,
    make_person,
)
from tests.risk.map_world import City, case_words, graded, regraded
from tests.risk.map_world import city as city  # the fixture
from wangge.auditlog.models import Entry
from wangge.risk.dashboard import (
    changes_today,
    child_counts,
    level_counts,
    risk_area,
    trend,
)
from wangge.risk.display import reason_text, reasons_text
from wangge.risk.models import Level, SubjectKind

HIGH, MEDIUM = Level.HIGH, Level.MEDIUM


def test_reasons_read_as_words():
    assert reason_text("接触者居住于此楼") == "接触者居住于此楼"
    assert reason_text({"if": "residents", "params": {"graded": "high", "at_least": 1},
                        "facts": {"count": 2}}) == "2 residents graded high risk or higher."
    assert reasons_text(None) == []
    assert reasons_text("not a list") == []


def test_the_area_is_the_callers_own_or_one_within_it(city: City):
    assert risk_area(city.worker).code == GRID_A
    assert risk_area(city.street).code == STREET_1
    assert [child.code for child in risk_area(city.district).children] == [STREET_1, STREET_2]
    assert [child.code for child in risk_area(city.community, COMMUNITY_1).children] == [
        GRID_A, GRID_B]
    for code in (GRID_C, "420102002000", "abc", "4201020010010011"):
        with pytest.raises(Http404):
            risk_area(city.street, code)
    with pytest.raises(PermissionDenied):
        risk_area(city.volunteer)


def test_counts_per_level_within_the_jurisdiction(city: City):
    district = level_counts(city.district, risk_area(city.district))
    assert district[SubjectKind.BUILDING] == {MEDIUM: 1, HIGH: 2}
    assert district[SubjectKind.PERSON] == {MEDIUM: 1, HIGH: 0}
    assert district[SubjectKind.GRID] == {MEDIUM: 0, HIGH: 1}
    assert district[SubjectKind.COMMUNITY] == {MEDIUM: 1, HIGH: 0}
    # The street does not count grid C's building; the outsider sees only grid C.
    street = level_counts(city.street, risk_area(city.street))
    assert street[SubjectKind.BUILDING] == {MEDIUM: 1, HIGH: 1}
    assert level_counts(city.outsider, risk_area(city.outsider))[SubjectKind.BUILDING] == {
        MEDIUM: 0, HIGH: 1}


def test_counts_per_area_one_level_down_with_its_own_grade(city: City):
    streets = {child.area.code: child for child in child_counts(
        city.district, risk_area(city.district))}
    assert streets[STREET_1].counts[SubjectKind.BUILDING] == {MEDIUM: 1, HIGH: 1}
    assert streets[STREET_2].counts[SubjectKind.BUILDING] == {MEDIUM: 0, HIGH: 1}
    assert streets[STREET_1].counts[SubjectKind.COMMUNITY] == {MEDIUM: 1, HIGH: 0}
    grids = {child.area.code: child for child in child_counts(
        city.community, risk_area(city.community, COMMUNITY_1))}
    assert grids[GRID_A].level == HIGH
    assert grids[GRID_B].level == Level.LOW
    assert grids[GRID_A].counts[SubjectKind.PERSON] == {MEDIUM: 1, HIGH: 0}
    assert grids[GRID_B].counts[SubjectKind.BUILDING] == {MEDIUM: 1, HIGH: 0}


def test_the_trend_is_reconstructed_from_the_changes(city: City):
    found = trend(city.district, risk_area(city.district))
    assert len(found.days) == 14
    buildings = found.counts[SubjectKind.BUILDING]
    # Far (high for 20 days) all along; 3栋 medium three days ago and high today; 7栋 medium
    # five days ago.
    assert buildings[HIGH] == [1] * 13 + [2]
    assert buildings[MEDIUM] == [0] * 8 + [1, 1] + [2, 2, 2] + [1]
    assert found.counts[SubjectKind.PERSON][MEDIUM] == [0] * 12 + [1, 1]
    assert found.counts[SubjectKind.GRID][MEDIUM] == [0] * 10 + [1, 1, 1, 0]
    assert found.counts[SubjectKind.GRID][HIGH] == [0] * 13 + [1]
    assert found.counts[SubjectKind.COMMUNITY][MEDIUM] == [0] * 13 + [1]
    # Lowered today: yesterday's evening still counts it, today's does not.
    regraded(SubjectKind.BUILDING, city.medium.pk, GRID_B, Level.LOW, [])
    again = trend(city.district, risk_area(city.district))
    assert again.counts[SubjectKind.BUILDING][MEDIUM] == [0] * 8 + [1, 1] + [2, 2, 2] + [0]
    # The street's own trend leaves grid C's building out.
    street = trend(city.street, risk_area(city.street))
    assert street.counts[SubjectKind.BUILDING][HIGH] == [0] * 13 + [1]


def test_todays_changes_say_what_and_why(city: City):
    changes = changes_today(city.district, risk_area(city.district))
    assert changes.total == 3
    assert changes.persons_counted == 0
    building = next(change for change in changes.listed if change.kind == SubjectKind.BUILDING)
    assert (building.name, building.before, building.after) == ("3栋", MEDIUM, HIGH)
    assert building.reasons == [case_words()]
    assert building.url == f"/buildings/{city.high.pk}/"
    names = {change.name for change in changes.listed}
    assert names == {"3栋", "民意一网格", "民意社区"}
    # Lowered to low with no reason left: said so.
    regraded(SubjectKind.BUILDING, city.medium.pk, GRID_B, Level.LOW, [])
    lowered = next(change for change in changes_today(
        city.district, risk_area(city.district)).listed if change.name == "7栋")
    assert lowered.after == Level.LOW
    assert lowered.reasons


def test_persons_grades_are_counted_unless_the_role_sees_health(city: City):
    case = make_person(GRID_A, name="钱确诊")
    graded(SubjectKind.PERSON, case.pk, GRID_A, (0, HIGH, ["确诊病例"]))
    masked = changes_today(city.street, risk_area(city.street))
    assert masked.persons_counted == 1
    assert masked.total == 4
    assert all(change.kind != SubjectKind.PERSON for change in masked.listed)
    shown = changes_today(city.community, risk_area(city.community))
    person = next(change for change in shown.listed if change.kind == SubjectKind.PERSON)
    assert (person.name, person.person_id, person.reasons) == ("钱确诊", case.pk, ["确诊病例"])


def test_the_page_lists_todays_changes_and_logs_persons_shown(city: City, page_as):
    case = make_person(GRID_A, name="钱确诊")
    graded(SubjectKind.PERSON, case.pk, GRID_A, (0, HIGH, ["确诊病例"]))
    page = page_as(city.community).get("/risk/")
    text = page.content.decode()
    assert page.status_code == 200
    assert 'name="viewport"' in text
    assert 'id="risk-map-data"' in text
    assert case_words() in text
    assert "钱确诊" in text
    entry = Entry.objects.get(target="risk grades")
    assert entry.record_ids == [case.pk]
    assert entry.fields == "health_status"
    # The street officer sees the person counted, not named, and nothing is logged.
    street = page_as(city.street).get("/risk/").content.decode()
    assert "钱确诊" not in street
    assert "1 person's grade changed today." in street
    assert Entry.objects.filter(target="risk grades").count() == 1


def test_the_pages_drill_down_within_the_jurisdiction(city: City, page_as):
    district = page_as(city.district)
    top = district.get("/risk/").content.decode()
    assert f'href="/risk/{STREET_1}/"' in top
    assert f'href="/risk/{STREET_2}/"' in top
    assert f'href="/risk/{COMMUNITY_1}/"' in district.get(f"/risk/{STREET_1}/").content.decode()
    assert f'href="/risk/{GRID_A}/"' in district.get(f"/risk/{COMMUNITY_1}/").content.decode()
    grid = district.get(f"/risk/{GRID_A}/").content.decode()
    assert f'href="/buildings/{city.high.pk}/"' in grid  # the graded buildings, last step
    assert page_as(city.street).get(f"/risk/{GRID_C}/").status_code == 404
    assert page_as(city.street).get(f"/risk/{DISTRICT}/").status_code == 404
    assert page_as(city.volunteer).get("/risk/").status_code == 403


def test_the_building_page_shows_its_grade_and_why(city: City, page_as):
    page = page_as(city.worker).get(f"/buildings/{city.high.pk}/").content.decode()
    assert case_words() in page
    assert f'href="/risk/{GRID_A}/"' in page
    assert "building-risk" not in page_as(city.worker).get(
        f"/buildings/{city.calm.pk}/").content.decode()


def test_the_navigation_and_the_cockpit_link_to_the_risk_map(city: City, page_as):
    cockpit = page_as(city.community).get(f"/cockpit/{COMMUNITY_1}/").content.decode()
    assert f'href="/risk/{COMMUNITY_1}/"' in cockpit
    assert 'href="/risk/"' in cockpit  # the "more" sheet
    assert 'href="/risk/"' not in page_as(city.volunteer).get("/").content.decode()
