"""The risk API: rule sets (read, draft, preview, put in force), grades in scope with their
filters, one subject with reasons and history; persons' grades only for roles that see health
status unmasked, and their reads logged. Every role is tried."""

import pytest
from django.test import Client

from tests.api.helpers import ApiClient
from tests.factories import COMMUNITY_1, GRID_A, GRID_C, STREET_1, make_user
from tests.risk.conftest import record_case
from wangge.auditlog.models import Entry
from wangge.foundation.permissions import ROLE_ACTIONS, Action, Role
from wangge.risk.models import RuleSet
from wangge.risk.rules import DEFAULT_RULES

VIEW, EDIT = Action.VIEW_RISK, Action.EDIT_RISK_RULES
TIGHTER = [*DEFAULT_RULES[:5],
           {"subject": "building", "if": "residents", "graded": "medium", "grade": "high"},
           *DEFAULT_RULES[7:]]


@pytest.fixture
def api(db):
    """``api(user)``: a client of its own, signed in as ``user``."""
    def login(user) -> ApiClient:
        client = Client()
        client.force_login(user)
        return ApiClient(client)
    return login


@pytest.mark.parametrize("role", Role.values)
def test_every_role(role, world, api):
    record_case(world.people["tower"][0])
    record_case(world.people["far"][0])
    user = make_user(role, STREET_1)
    caller = api(user)
    actions = ROLE_ACTIONS[role]
    listed = caller.get("/risk/grades")
    assert listed.status_code == (200 if VIEW in actions else 403)
    if VIEW in actions:
        grades = listed.json()["items"]
        assert {grade["grid_code"][:9] for grade in grades} == {STREET_1[:9]}  # not grid C
        sees_persons = role in {Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.DISTRICT_ADMIN}
        assert any(grade["kind"] == "person" for grade in grades) is sees_persons
        building = caller.get(f"/risk/grades/building/{world.tower.pk}")
        assert building.status_code == 200
        assert building.json()["grade"]["reasons"][0].startswith("1 resident with a confirmed")
        assert caller.get(f"/risk/grades/building/{world.far.pk}").status_code == 404
        person = caller.get(f"/risk/grades/person/{world.people['tower'][0].pk}")
        assert person.status_code == (200 if sees_persons else 404)
    assert caller.get("/risk/rule-sets").status_code == (200 if VIEW in actions else 403)
    draft = caller.post("/risk/rule-sets", {"rules": TIGHTER, "note": "tighter"})
    assert draft.status_code == (200 if EDIT in actions else 403)
    if EDIT in actions:
        pk = draft.json()["id"]
        assert caller.get(f"/risk/rule-sets/{pk}/preview").status_code == 200
        assert caller.post(f"/risk/rule-sets/{pk}/put-in-force", {}).status_code == 200
    else:
        pk = RuleSet.objects.get().pk
        assert caller.get(f"/risk/rule-sets/{pk}/preview").status_code == 403
        assert caller.post(f"/risk/rule-sets/{pk}/put-in-force", {}).status_code == 403


def test_filters_and_levels(world, api):
    record_case(world.people["tower"][0])
    caller = api(world.district)
    grades = caller.get("/risk/grades", {"kind": "grid"}).json()["items"]
    assert [(grade["key"], grade["level"], grade["level_name"]) for grade in grades] == [
        (GRID_A, 1, "Medium risk")]
    assert caller.get("/risk/grades", {"level": 2, "kind": "building"}).json()["count"] == 1
    assert caller.get("/risk/grades", {"code": GRID_C}).json()["count"] == 0
    assert caller.get("/risk/grades", {"level": 7}).status_code == 422
    assert caller.get("/risk/grades/building/x1").status_code in (404, 422)
    grid = caller.get(f"/risk/grades/grid/{GRID_A}").json()
    assert grid["grade"]["reasons"] == ["1 building graded high risk or higher: 1栋."]
    assert grid["grade"]["heading"] == "This grid is medium risk"
    assert [(change["before"], change["level"]) for change in grid["history"]] == [(0, 1)]
    community = caller.get(f"/risk/grades/community/{COMMUNITY_1}").json()
    assert community["grade"]["level"] == 1


def test_a_person_grade_read_is_logged(world, api):
    person = world.people["tower"][0]
    record_case(person)
    reads = Entry.objects.filter(target="risk-grades")
    api(world.worker).get("/risk/grades", {"kind": "building"})
    assert not reads.exists()  # no person listed, nothing logged
    api(world.worker).get("/risk/grades")
    assert [(entry.record_ids, entry.kind) for entry in reads] == [([person.pk], "list")]
    api(world.worker).get(f"/risk/grades/person/{person.pk}")
    assert reads.filter(kind="view", record_ids=[person.pk]).exists()


def test_a_broken_draft_is_a_422_naming_rule_and_field(world, api):
    caller = api(world.district)
    broken = [DEFAULT_RULES[0], {"subject": "building", "if": "cases", "statuses": ["ill"],
                                 "within_days": 0, "grade": "urgent", "colour": "red"}]
    answer = caller.post("/risk/rule-sets", {"rules": broken})
    assert answer.status_code == 422
    errors = answer.json()["errors"]["rules"]
    assert any(error.startswith("Rule 2, “statuses”") for error in errors)
    assert any(error.startswith("Rule 2, “within_days”") for error in errors)
    assert any(error.startswith("Rule 2, “grade”") for error in errors)
    assert any(error.startswith("Rule 2, “colour”") for error in errors)
    for body in ({"rules": "x"}, {"rules": [1]}, {"rules": []}, {"rules": [{}] * 51},
                 {"rules": [{"subject": ["x"]}]}, {}):
        assert caller.post("/risk/rule-sets", body).status_code in (400, 422), body


def test_preview_and_put_in_force(world, api):
    record_case(world.people["tower"][0])
    record_case(world.people["far"][0])
    caller = api(world.community)
    draft = api(world.district).post("/risk/rule-sets", {"rules": TIGHTER}).json()
    assert caller.get(f"/risk/rule-sets/{draft['id']}/preview").status_code == 403
    district = api(world.district)
    preview = district.get(f"/risk/rule-sets/{draft['id']}/preview").json()
    # A building with a medium resident is high under the draft: the tower already is.
    assert preview["changed"] == 0
    worker = make_user(Role.DISTRICT_ADMIN, STREET_1)
    record_case(world.people["annex"][0], status="suspected")
    preview = api(worker).get(f"/risk/rule-sets/{draft['id']}/preview").json()
    changed = {(change["kind"], change["key"]): change for change in preview["changes"]}
    assert changed[("building", str(world.annex.pk))]["before_name"] == "Medium risk"
    assert changed[("building", str(world.annex.pk))]["after_name"] == "High risk"
    assert {area["code"] for area in preview["areas"]} == {COMMUNITY_1}
    levels = {(row["level"]): row for row in preview["levels"]["building"]}
    assert (levels[2]["now"], levels[2]["draft"]) == (1, 2)
    done = district.post(f"/risk/rule-sets/{draft['id']}/put-in-force", {})
    assert done.json()["rule_set"]["status"] == "in_force"
    assert done.json()["raised"] == {"building": 1}  # grid A stays medium: 2 of 3
    assert RuleSet.objects.get(version=1).status == "retired"
    again = district.post(f"/risk/rule-sets/{draft['id']}/put-in-force", {})
    assert again.status_code == 422
    history = district.get(f"/risk/grades/building/{world.annex.pk}").json()["history"]
    assert history[0]["rule_set_version"] == 2

