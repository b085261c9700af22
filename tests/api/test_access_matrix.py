"""Every role × every endpoint, in and out of the caller's jurisdiction.

Expected statuses are derived from foundation.permissions (ROLE_ACTIONS, UNMASKED_FIELDS); the
assertions are on real responses. Each user answers for street 1 (grids A and B); grid C, in
street 2, is out of scope.
"""

import datetime
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from tests.api.helpers import credit_code
from tests.epidemic.matrix import a_visit
from tests.factories import (
    GRID_A,
    STREET_1,
    STREET_2,
    centre_of,
    make_user,
    square,
)
from tests.resources.matrix import RESOURCE_KINDS
from tests.scene import IN, OUT, Scene
from wangge.foundation.permissions import ROLE_ACTIONS, UNMASKED_FIELDS, Action, Role
from wangge.imports.models import ImportJob, job_storage


@dataclass(frozen=True)
class Endpoint:
    method: str
    template: str  # ``{name}`` is filled with the side's record (its pk) or code
    view: Action | None = None  # needed to read anything of this kind (else 403)
    action: Action | None = None  # needed, once the record is found, to do this (else 403)
    kind: str = "record"  # record: out of scope is 404; create: 422; list: nothing listed
    body: Callable[[dict[str, Any], Scene], Any] = lambda records, scene: None
    success: int = 200

    def __str__(self) -> str:
        return f"{self.method} {self.template}"

    def path(self, records: dict[str, Any]) -> str:
        return self.template.format(**{key: getattr(value, "pk", value)
                                       for key, value in records.items()})

    @property
    def route(self) -> str:
        """The path as OpenAPI spells it: ``{code}`` for divisions and grids, else ``{id}``;
        a second placeholder is ``{person_id}`` (a household's or organization's member) or
        ``{member_id}`` (a team's member)."""

        def name(match: re.Match) -> str:
            if match[1].endswith(("grid", "division")):
                return "{code}"
            if match.start() == self.template.index("{"):
                return "{id}"
            return "{member_id}" if match[1].endswith("_member") else "{person_id}"

        return re.sub(r"\{(\w+)\}", name, self.template)


def _list(path: str, view: Action | None) -> Endpoint:
    return Endpoint("GET", path, view=view, kind="list")


PEOPLE, PLACES, ORGS = Action.VIEW_PEOPLE, Action.VIEW_PLACES, Action.VIEW_ORGANIZATIONS
CASES, RECORD_CASES = Action.VIEW_CASES, Action.RECORD_CASES
EMERGENCIES = Action.VIEW_EMERGENCIES


def _today() -> str:
    return timezone.localdate().isoformat()

REASON = {"reason": "测试"}
ENDPOINTS = [
    _list("/divisions", None),
    _list("/grids", None),
    _list("/grids.geojson", None),
    _list("/buildings", PLACES),
    _list("/buildings.geojson", PLACES),
    _list("/dwellings", PLACES),
    _list("/facilities", PLACES),
    _list("/enterprises", PLACES),
    _list("/persons", PEOPLE),
    _list("/households", PEOPLE),
    _list("/organizations", ORGS),
    Endpoint("GET", ("/divisions/{division}")),
    Endpoint("GET", ("/grids/{grid}")),
    Endpoint("GET", ("/buildings/{building}"), view=PLACES),
    Endpoint("GET", ("/dwellings/{dwelling}"), view=PLACES),
    Endpoint("GET", ("/facilities/{facility}"), view=PLACES),
    Endpoint("GET", ("/enterprises/{enterprise}"), view=PLACES),
    Endpoint("GET", ("/persons/{person}"), view=PEOPLE),
    Endpoint("GET", ("/persons/{person}/history"), view=PEOPLE,
             action=Action.VIEW_HISTORY),
    Endpoint("GET", ("/households/{household}"), view=PEOPLE),
    Endpoint("GET", ("/organizations/{organization}"), view=ORGS),
    Endpoint("POST", ("/divisions"), action=Action.EDIT_DIVISIONS, kind="create",
             success=201, body=lambda records, scene: {
                 "code": "420102001002" if records["grid"] == GRID_A else "420102002002",
                 "name": "新社区"}),
    Endpoint("PATCH", ("/divisions/{division}"), action=Action.EDIT_DIVISIONS,
             body=lambda records, scene: {"name": "改名社区", **REASON}),
    Endpoint("POST", ("/grids"), action=Action.EDIT_DIVISIONS, kind="create", success=201,
             body=lambda records, scene: {"code": records["division"] + "009", "name": "新网格",
                                          "boundary": square(114.30, 30.70)}),
    Endpoint("PATCH", ("/grids/{grid}"), action=Action.EDIT_DIVISIONS,
             body=lambda records, scene: {"name": "改名网格", **REASON}),
    Endpoint("POST", ("/buildings"), action=Action.EDIT_PLACES, kind="create",
             success=201, body=lambda records, scene: {
                 "name": "新楼", "address": "新路", "longitude": centre_of(records["grid"])[0],
                 "latitude": centre_of(records["grid"])[1]}),
    Endpoint("PATCH", ("/buildings/{building}"), view=PLACES, action=Action.EDIT_PLACES,
             body=lambda records, scene: {"name": "改名楼", **REASON}),
    Endpoint("DELETE", ("/buildings/{empty_building}"), view=PLACES, action=Action.EDIT_PLACES,
             success=204, body=lambda records, scene: REASON),
    Endpoint("POST", ("/dwellings"), view=PLACES, action=Action.EDIT_PLACES,
             kind="create", success=201, body=lambda records, scene: {
                 "building_id": records["building"].pk, "unit": 2, "floor": 3, "room": "302"}),
    Endpoint("PATCH", ("/dwellings/{dwelling}"), view=PLACES, action=Action.EDIT_PLACES,
             body=lambda records, scene: {"room": "102", **REASON}),
    Endpoint("DELETE", ("/dwellings/{dwelling}"), view=PLACES, action=Action.EDIT_PLACES,
             success=204, body=lambda records, scene: REASON),
    Endpoint("POST", ("/facilities"), view=PLACES, action=Action.EDIT_PLACES,
             kind="create", success=201, body=lambda records, scene: {
                 "name": "药店", "kind": "pharmacy", "address": "路3号",
                 "longitude": centre_of(records["grid"])[0],
                 "latitude": centre_of(records["grid"])[1]}),
    Endpoint("DELETE", ("/facilities/{facility}"), view=PLACES, action=Action.EDIT_PLACES,
             success=204, body=lambda records, scene: REASON),
    Endpoint("POST", ("/enterprises"), view=PLACES, action=Action.EDIT_PLACES,
             kind="create", success=201, body=lambda records, scene: {
                 "name": "新店", "credit_code": credit_code(9), "address": "路4号",
                 "longitude": centre_of(records["grid"])[0],
                 "latitude": centre_of(records["grid"])[1]}),
    Endpoint("DELETE", ("/enterprises/{enterprise}"), view=PLACES,
             action=Action.EDIT_PLACES, success=204, body=lambda records, scene: REASON),
    Endpoint("POST", ("/persons"), view=PEOPLE, action=Action.EDIT_PEOPLE, kind="create",
             success=201, body=lambda records, scene: {"name": "新居民",
                                                       "grid_code": records["grid"]}),
    Endpoint("PATCH", ("/persons/{person}"), view=PEOPLE, action=Action.EDIT_PEOPLE,
             body=lambda records, scene: {"occupation": "教师", **REASON}),
    Endpoint("POST", ("/persons/{person}/transfer"), view=PEOPLE,
             action=Action.EDIT_PEOPLE, success=201, body=lambda records, scene: {
                 "dwelling_id": scene[IN]["spare"].pk, "moved_on": "2024-03-01", **REASON}),
    Endpoint("POST", ("/households"), view=PEOPLE, action=Action.EDIT_PEOPLE,
             kind="create", success=201,
             body=lambda records, scene: {"head_id": records["homeless"].pk}),
    Endpoint("POST", ("/households/{household}/members"), view=PEOPLE,
             action=Action.EDIT_PEOPLE, success=201, body=lambda records, scene: {
                 "person_id": scene[IN]["homeless"].pk, "relationship": "child"}),
    Endpoint("POST", ("/organizations"), view=ORGS, action=Action.EDIT_ORGANIZATIONS,
             kind="create", success=201, body=lambda records, scene: {
                 "name": "物业", "kind": "property_company", "grid_code": records["grid"]}),
    # Updates and safe deletes (a reason; nothing may depend on the record), and members.
    Endpoint("DELETE", "/divisions/{empty_division}", action=Action.EDIT_DIVISIONS,
             success=204, body=lambda records, scene: REASON),
    Endpoint("DELETE", "/grids/{empty_grid}", action=Action.EDIT_DIVISIONS, success=204,
             body=lambda records, scene: REASON),
    Endpoint("PATCH", "/facilities/{facility}", view=PLACES, action=Action.EDIT_PLACES,
             body=lambda records, scene: {"capacity": None, "name": "卫生服务站", **REASON}),
    Endpoint("PATCH", "/enterprises/{enterprise}", view=PLACES, action=Action.EDIT_PLACES,
             body=lambda records, scene: {"industry": "零售", **REASON}),
    Endpoint("PATCH", "/households/{household}", view=PEOPLE, action=Action.EDIT_PEOPLE,
             body=lambda records, scene: {"number": "H9", **REASON}),
    Endpoint("DELETE", "/households/{empty_household}", view=PEOPLE,
             action=Action.EDIT_PEOPLE, success=204, body=lambda records, scene: REASON),
    Endpoint("DELETE", "/households/{household}/members/{head}", view=PEOPLE,
             action=Action.EDIT_PEOPLE, success=204, body=lambda records, scene: REASON),
    Endpoint("PATCH", "/organizations/{organization}", view=ORGS,
             action=Action.EDIT_ORGANIZATIONS,
             body=lambda records, scene: {"contact_name": "王主任", **REASON}),
    Endpoint("DELETE", "/organizations/{organization}", view=ORGS,
             action=Action.EDIT_ORGANIZATIONS, success=204, body=lambda records, scene: REASON),
    Endpoint("GET", "/organizations/{club}/members", view=ORGS, action=PEOPLE),
    Endpoint("POST", "/organizations/{organization}/members", view=ORGS,
             action=Action.EDIT_ORGANIZATIONS, success=201, body=lambda records, scene: {
                 "person_id": scene[IN]["person"].pk, "title": "队员", **REASON}),
    Endpoint("DELETE", "/organizations/{club}/members/{member}", view=ORGS,
             action=Action.EDIT_ORGANIZATIONS, success=204, body=lambda records, scene: REASON),
    # The event loop; "unscoped" endpoints answer the same in and out of the jurisdiction.
    Endpoint("GET", "/event-categories", kind="unscoped"),
    _list("/events", Action.VIEW_EVENTS),
    _list("/events.geojson", Action.VIEW_EVENTS),
    _list("/events-by-grid.geojson", Action.VIEW_EVENTS),
    Endpoint("GET", "/events/{event}", view=Action.VIEW_EVENTS),
    Endpoint("POST", "/events", action=Action.REPORT_EVENTS, kind="create", success=201,
             body=lambda records, scene: {
                 "category_id": records["category"].pk, "description": "路灯不亮",
                 "longitude": centre_of(records["grid"])[0],
                 "latitude": centre_of(records["grid"])[1]}),
    Endpoint("POST", "/events/{event}/transitions", view=Action.VIEW_EVENTS,
             action=Action.TRIAGE_EVENTS, body=lambda records, scene: {"action": "accept"}),
    Endpoint("POST", "/events/{event}/comments", view=Action.VIEW_EVENTS,
             action=Action.COMMENT_EVENTS, success=201,
             body=lambda records, scene: {"text": "已到现场"}),
    Endpoint("POST", "/events/{event}/assign", view=Action.VIEW_EVENTS,
             action=Action.TRIAGE_EVENTS,
             body=lambda records, scene: {"assignee_id": records["handler"].pk}),
    Endpoint("POST", "/events/{duplicate}/merge", view=Action.VIEW_EVENTS,
             action=Action.TRIAGE_EVENTS,
             body=lambda records, scene: {"into_id": records["event"].pk}),
    # A follow-up call's rating, by those who close events.
    Endpoint("POST", "/events/{closed_event}/ratings", view=Action.VIEW_EVENTS,
             action=Action.TRIAGE_EVENTS, success=201,
             body=lambda records, scene: {"satisfaction": "satisfied"}),
    Endpoint("GET", "/inbox", kind="unscoped"),
    # Record linkage: a pair or merge is the caller's when both persons are in scope.
    _list("/match-candidates", Action.REVIEW_MATCHES),
    Endpoint("GET", "/match-candidates/{candidate}", view=Action.REVIEW_MATCHES),
    Endpoint("POST", "/match-candidates/{candidate}/accept", view=Action.REVIEW_MATCHES,
             success=201, body=lambda records, scene: REASON),
    Endpoint("POST", "/match-candidates/{candidate}/reject", view=Action.REVIEW_MATCHES,
             body=lambda records, scene: REASON),
    _list("/merges", Action.REVIEW_MATCHES),
    Endpoint("POST", "/merges/{merge}/unmerge", view=Action.REVIEW_MATCHES,
             body=lambda records, scene: REASON),
    Endpoint("POST", "/inbox/read", kind="unscoped", body=lambda records, scene: {}),
    # Patrols; changing one is its patroller's alone (test_access_to_own_patrols below).
    _list("/patrols", Action.VIEW_PATROLS),
    Endpoint("GET", "/patrols/{patrol}", view=Action.VIEW_PATROLS),
    Endpoint("POST", "/patrols", action=Action.PATROL, kind="create", success=201,
             body=lambda records, scene: {"grid_code": records["grid"]}),
    _list("/patrol-coverage", Action.VIEW_PATROLS),
    Endpoint("GET", "/patrol-coverage/{grid}", view=Action.VIEW_PATROLS),
    # The cockpit: of the caller's own jurisdiction, or of a division in it.
    Endpoint("GET", "/cockpit", view=Action.VIEW_COCKPIT, kind="unscoped"),
    Endpoint("GET", "/cockpit/{division}", view=Action.VIEW_COCKPIT),
    Endpoint("GET", "/cockpit/{grid}", view=Action.VIEW_COCKPIT),
    # The risk map: the dashboard of the caller's own jurisdiction or of an area in it, and
    # its grids as GeoJSON (its buildings: tests/risk/test_map_api.py, the scene grades none).
    Endpoint("GET", "/risk/dashboard", view=Action.VIEW_RISK, kind="unscoped"),
    Endpoint("GET", "/risk/dashboard/{division}", view=Action.VIEW_RISK),
    Endpoint("GET", "/risk/dashboard/{grid}", view=Action.VIEW_RISK),
    _list("/risk/grids.geojson", Action.VIEW_RISK),
    # Health check-ins: a day's, who has not checked in, and lists in bulk (an institution's:
    # a person out of scope is refused, 422).
    _list("/check-ins", Action.VIEW_CHECK_INS),
    _list("/check-ins/missing", Action.VIEW_CHECK_INS),
    Endpoint("POST", "/check-ins", action=Action.RECORD_CHECK_INS, kind="create",
             body=lambda records, scene: {"entries": [{"person_id": records["person"].pk,
                                                       "temperature": 36.5}]}),
    # Cases and exposures; venues and their visits.
    _list("/cases", CASES),
    Endpoint("GET", "/cases/{case}", view=CASES),
    Endpoint("POST", "/cases", action=RECORD_CASES, kind="create", success=201,
             body=lambda records, scene: {"person_id": records["person"].pk,
                                          "status": "suspected", "source": "self",
                                          "reported_on": _today()}),
    Endpoint("PATCH", "/cases/{case}", view=CASES, action=RECORD_CASES,
             body=lambda records, scene: {"source_detail": "市一医院", **REASON}),
    Endpoint("GET", "/cases/{case}/tests", view=CASES),
    Endpoint("POST", "/cases/{case}/tests", view=CASES, action=RECORD_CASES, success=201,
             body=lambda records, scene: {"kind": "pcr", "taken_on": _today(),
                                          "positive": True}),
    Endpoint("GET", "/cases/{case}/exposures", view=CASES),
    Endpoint("POST", "/cases/{case}/exposures", view=CASES, action=RECORD_CASES, success=201,
             body=lambda records, scene: {"person_id": records["person"].pk,
                                          "last_contact_on": _today()}),
    Endpoint("POST", "/cases/{case}/trace", view=CASES, action=RECORD_CASES),
    Endpoint("GET", "/cases/{case}/chain", view=CASES),
    _list("/venues", CASES),
    Endpoint("GET", "/venues/{venue}", view=CASES),
    Endpoint("POST", "/venues", action=RECORD_CASES, kind="create", success=201,
             body=lambda records, scene: {"facility_id": records["venue_place"].pk}),
    Endpoint("GET", "/venues/{venue}/visits", view=CASES),
    Endpoint("POST", "/venues/{venue}/visits", view=CASES, action=RECORD_CASES, success=201,
             body=lambda records, scene: a_visit(records)),
    # Lawful measures: a measure waiting for approval (with an open appeal) and a draft; a
    # proposal for a person out of scope is refused (422). Each step is the service's own.
    _list("/measures", Action.VIEW_MEASURES),
    Endpoint("GET", "/measures/{measure}", view=Action.VIEW_MEASURES),
    Endpoint("POST", "/measures", action=Action.PROPOSE_MEASURES, kind="create", success=201,
             body=lambda records, scene: {"kind": "home_monitoring",
                                          "person_id": records["person"].pk}),
    Endpoint("POST", "/measures/{measure_draft}/lift", view=Action.VIEW_MEASURES,
             action=Action.PROPOSE_MEASURES, body=lambda records, scene: REASON),
    Endpoint("POST", "/measures/{measure}/refuse", view=Action.VIEW_MEASURES,
             action=Action.APPROVE_MEASURES, body=lambda records, scene: REASON),
    Endpoint("POST", "/measures/{measure_draft}/submit", view=Action.VIEW_MEASURES,
             action=Action.PROPOSE_MEASURES),
    Endpoint("POST", "/measures/{measure}/approve", view=Action.VIEW_MEASURES,
             action=Action.APPROVE_MEASURES, body=lambda records, scene: REASON),
    # A measure waiting for approval is not extended (422, from the service).
    Endpoint("POST", "/measures/{measure}/extend", view=Action.VIEW_MEASURES,
             action=Action.PROPOSE_MEASURES, success=422,
             body=lambda records, scene: {"ends_on": "2099-01-01", **REASON}),
    Endpoint("GET", "/legal-bases", view=Action.VIEW_MEASURES, kind="unscoped"),
    _list("/measure-appeals", Action.VIEW_MEASURES),
    # Emergencies (tests/emergency/matrix.py): plans, a draft approved, teams, an emergency
    # under way; declaring under a plan out of scope is refused (422).
    _list("/emergency/plans", EMERGENCIES),
    Endpoint("GET", "/emergency/plans/{emergency_plan}", view=EMERGENCIES),
    Endpoint("POST", "/emergency/plans", action=Action.EDIT_EMERGENCY_PLANS, kind="create",
             success=201, body=lambda records, scene: {
                 "name": "台风预案", "hazard": "typhoon", "grid_code": records["division"],
                 **REASON}),
    Endpoint("POST", "/emergency/plans/{emergency_plan}/draft", view=EMERGENCIES,
             action=Action.EDIT_EMERGENCY_PLANS, body=lambda records, scene: {
                 "levels": records["emergency_draft"].levels, **REASON}),
    Endpoint("POST", "/emergency/plans/{emergency_plan}/name", view=EMERGENCIES,
             action=Action.EDIT_EMERGENCY_PLANS,
             body=lambda records, scene: {"name": "防汛防台预案", **REASON}),
    Endpoint("POST", "/emergency/versions/{emergency_draft}/approve", view=EMERGENCIES,
             action=Action.APPROVE_EMERGENCY_PLANS, body=lambda records, scene: REASON),
    _list("/emergency/teams", EMERGENCIES),
    Endpoint("GET", "/emergency/teams/{emergency_team}", view=EMERGENCIES),
    Endpoint("POST", "/emergency/teams", action=Action.EDIT_EMERGENCY_PLANS, kind="create",
             success=201, body=lambda records, scene: {
                 "name": "医疗队", "kind": "medical", "grid_code": records["division"],
                 **REASON}),
    Endpoint("POST", "/emergency/teams/{emergency_team}/members", view=EMERGENCIES,
             action=Action.EDIT_EMERGENCY_PLANS, body=lambda records, scene: {
                 "user_id": records["account"].pk, **REASON}),
    Endpoint("POST", "/emergency/teams/{emergency_team}/members/{emergency_member}/remove",
             view=EMERGENCIES, action=Action.EDIT_EMERGENCY_PLANS,
             body=lambda records, scene: REASON),
    _list("/emergency/emergencies", EMERGENCIES),
    Endpoint("GET", "/emergency/emergencies/{emergency}", view=EMERGENCIES),
    Endpoint("GET", "/emergency/emergencies/{emergency}/roll-call", view=EMERGENCIES),
    Endpoint("POST", "/emergency/emergencies", action=Action.DECLARE_EMERGENCIES,
             kind="create", success=201, body=lambda records, scene: {
                 "plan_id": records["emergency_idle_plan"].pk, "level": "III",
                 "grids": [records["grid"]], **REASON}),
    Endpoint("POST", "/emergency/emergencies/{emergency}/level", view=EMERGENCIES,
             action=Action.DECLARE_EMERGENCIES,
             body=lambda records, scene: {"level": "II", **REASON}),
    Endpoint("POST", "/emergency/emergencies/{emergency}/end", view=EMERGENCIES,
             action=Action.DECLARE_EMERGENCIES, body=lambda records, scene: REASON),
    Endpoint("POST", "/emergency/emergencies/{emergency}/roll-call/deputies",
             view=EMERGENCIES, action=Action.DECLARE_EMERGENCIES),
    Endpoint("POST", "/emergency/tasks/{emergency_task}/done", view=EMERGENCIES,
             action=Action.DECLARE_EMERGENCIES, body=lambda records, scene: REASON),
    _list("/emergency/drills", EMERGENCIES),
    Endpoint("GET", "/emergency/drills/{emergency_drill}", view=EMERGENCIES),
    Endpoint("POST", "/emergency/drills", action=Action.EDIT_EMERGENCY_PLANS, kind="create",
             success=201, body=lambda records, scene: {
                 "plan_id": records["emergency_idle_plan"].pk, "level": "III",
                 "grids": [records["grid"]], "scheduled_at": "2030-01-01T09:00:00+08:00",
                 "participant_ids": list(records["emergency_drill"].participants.values_list(
                     "pk", flat=True)), **REASON}),
    Endpoint("POST", "/emergency/drills/{emergency_drill}/run", view=EMERGENCIES,
             action=Action.EDIT_EMERGENCY_PLANS, body=lambda records, scene: REASON),
    Endpoint("POST", "/measure-appeals/{measure_appeal}/answer", view=Action.VIEW_MEASURES,
             action=Action.PROPOSE_MEASURES,
             body=lambda records, scene: {"upheld": False, "answer": "维持"}),
    # Public alerts: a real warning in force; every role reads those of its jurisdiction.
    _list("/alerts", None),
    Endpoint("GET", "/alerts/{alert}"),
    Endpoint("POST", "/alerts", action=Action.PUBLISH_ALERTS, kind="create", success=201,
             body=lambda records, scene: {
                 "grid_codes": [records["grid"]], "category": "Met", "event": "暴雨",
                 "urgency": "Expected", "severity": "Severe", "certainty": "Likely",
                 "headline": "暴雨预警", **REASON}),
    Endpoint("POST", "/alerts/{alert}/update", action=Action.PUBLISH_ALERTS, success=201,
             body=lambda records, scene: {"severity": "Extreme", **REASON}),
    Endpoint("POST", "/alerts/{alert}/cancel", action=Action.PUBLISH_ALERTS, success=201,
             body=lambda records, scene: REASON),
    # The emergency resource database: every kind alike (tests/resources/matrix.py).
    *[endpoint for path, record, deleted, body in RESOURCE_KINDS for endpoint in (
        _list(f"/resources/{path}", Action.VIEW_RESOURCES),
        Endpoint("GET", f"/resources/{path}/{{{record}}}", view=Action.VIEW_RESOURCES),
        Endpoint("POST", f"/resources/{path}", action=Action.EDIT_RESOURCES, kind="create",
                 success=201, body=lambda records, scene, body=body: body(records)),
        Endpoint("PATCH", f"/resources/{path}/{{{record}}}", view=Action.VIEW_RESOURCES,
                 action=Action.EDIT_RESOURCES, body=lambda records, scene: REASON),
        Endpoint("DELETE", f"/resources/{path}/{{{deleted}}}", view=Action.VIEW_RESOURCES,
                 action=Action.EDIT_RESOURCES, success=204,
                 body=lambda records, scene: REASON))],
]


def expected_status(role: str, endpoint: Endpoint, in_scope: bool) -> int:
    actions = ROLE_ACTIONS[role]
    if endpoint.view is not None and endpoint.view not in actions:
        return 403
    if endpoint.kind == "record" and not in_scope:
        return 404  # exactly like a record that does not exist
    if endpoint.action is not None and endpoint.action not in actions:
        return 403
    if endpoint.kind == "create" and not in_scope:
        return 422  # the service refuses a record outside the jurisdiction, naming the field
    return endpoint.success


PURPOSE = {"X-Purpose": "identity"}


def _masked(field: str, raw: Any) -> Any:
    """How a masked value looks (written out here, not computed by the code under test)."""
    if field == "id_number":
        return raw[:4] + "*" * (len(raw) - 8) + raw[-4:]
    if field == "phone":
        return raw[:3] + "*" * (len(raw) - 7) + raw[-4:]
    if field == "birth_date":
        return raw[:4]  # the year: the rest would repeat digits of a masked ID
    return ["***"] if field == "vulnerable_tags" else "***"


def assert_masking(role: str, shown: dict[str, Any], raw: dict[str, Any], *,
                   revealed: bool = True) -> None:
    """Without a purpose (``revealed=False``) the full ID and birth date stay masked for
    every role."""
    for field, value in raw.items():
        unmasked = field in UNMASKED_FIELDS[role] and (
            revealed or field not in ("id_number", "birth_date"))
        assert shown[field] == (value if unmasked else _masked(field, value)), (field, shown)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
@pytest.mark.parametrize("role", Role.values)
def test_access(role, endpoint, scene, db, api_as):
    api = api_as(make_user(role, STREET_1))
    for in_scope in (IN, OUT):
        records = scene[in_scope]
        path = endpoint.path(records)
        if endpoint.kind == "list":
            path += f"?code={STREET_1 if in_scope else STREET_2}"
        body = endpoint.body(records, scene)
        response = (api.get(path) if endpoint.method == "GET"
                    else api.send(endpoint.method, path, body))
        want = expected_status(role, endpoint, in_scope)
        assert response.status_code == want, (in_scope, response.content.decode())
        if want >= 400:
            assert response.json()["message"]
        elif endpoint.kind == "list":
            data = response.json()
            found = len(data["features"]) if "features" in data else data["count"]
            assert bool(found) is in_scope


@pytest.mark.parametrize("role", [role for role in Role.values
                                  if Action.VIEW_PEOPLE in ROLE_ACTIONS[role]])
def test_sensitive_fields_are_masked_exactly_for_the_roles_that_must_not_see_them(
    role, scene, db, api_as
):
    person = scene[IN]["person"]
    raw = {"id_number": person.id_number, "phone": person.phone,
           "health_status": person.health_status, "vulnerable_tags": person.vulnerable_tags,
           "birth_date": person.birth_date.isoformat()}
    assert person.birth_date == datetime.date(1956, 3, 4)
    api = api_as(make_user(role, STREET_1))
    assert_masking(role, api.get(f"/persons/{person.pk}").json(), raw, revealed=False)
    assert_masking(role, api.get(f"/persons/{person.pk}", **PURPOSE).json(), raw)
    listed = {item["id"]: item for item in api.get("/persons", **PURPOSE).json()["items"]}
    assert_masking(role, listed[person.pk], raw)
    listed = {item["id"]: item for item in api.get("/persons").json()["items"]}
    assert_masking(role, listed[person.pk], raw, revealed=False)
    if Action.VIEW_HISTORY in ROLE_ACTIONS[role]:
        latest = api.get(f"/persons/{person.pk}/history", **PURPOSE).json()[0]
        changed = {change["field"]: change for change in latest["changes"]}
        assert_masking(role, {field: changed[field]["new"] for field in ("phone",)},
                       {"phone": person.phone})
        for side, born in (("old", "1980-05-17"), ("new", raw["birth_date"])):
            assert_masking(role, {"birth_date": changed["birth_date"][side]},
                           {"birth_date": born})
        assert changed["health_status"]["new"] == (
            "serious" if "health_status" in UNMASKED_FIELDS[role] else "***")
        assert changed["health_status"]["old"] == (
            "chronic" if "health_status" in UNMASKED_FIELDS[role] else "***")
        assert latest["reason"] == "tests: 更正电话"  # the system actor is named


def test_the_matrix_covers_every_route(client, db):
    """A new endpoint must join the matrix."""
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    routes = {f"{method.upper()} {path.removeprefix('/api/v1')}"
              for path, methods in paths.items() for method in methods}
    assert routes == ({f"{endpoint.method} {endpoint.route}" for endpoint in ENDPOINTS}
                      | IMPORT_AND_REPORT_ROUTES | OWN_PATROL_ROUTES | EVENT_PHOTO_ROUTES
                      | set(ACCESS_LOG_ROUTES) | ACCOUNT_ROUTES | RISK_ROUTES
                      | RISK_MAP_ROUTES | ALERT_ROUTES | SUPPLY_ROUTES | POPULATION_ROUTES
                      | CARE_ROUTES | NOTICE_ROUTES | VOLUNTEER_ROUTES | NEEDS_ROUTES
                      | RESIDENT_REQUEST_ROUTES | CONVENTION_ROUTES)


# Notices and a resident's own: role by role, in and out of scope, in tests/notices/test_api.py
# (the scene holds no notice).
NOTICE_ROUTES = {
    "GET /notices", "POST /notices", "POST /notices/preview", "GET /notices/{id}",
    "POST /notices/{id}/withdraw", "GET /notices/{id}/unread",
    "POST /notices/receipts/{id}/told", "GET /me/notices", "GET /me/notices/{id}",
    "POST /me/notices/{id}/acknowledge"}


# Volunteers and a resident's own: role by role, in and out of scope, in
# tests/volunteers/test_api.py (the scene holds no report-in).
VOLUNTEER_ROUTES = {
    "GET /volunteers/registrations", "POST /volunteers/registrations",
    "GET /volunteers/registrations/{id}", "POST /volunteers/registrations/{id}/decide",
    "GET /volunteers/registrations/{id}/ledger", "POST /volunteers/registrations/{id}/points",
    "GET /volunteers/tasks", "POST /volunteers/tasks", "GET /volunteers/tasks/{id}",
    "POST /volunteers/tasks/{id}/call", "POST /volunteers/tasks/{id}/cancel",
    "POST /volunteers/participations/{id}/hours", "GET /volunteers/rules/{code}",
    "PUT /volunteers/rules/{code}", "GET /volunteers/ranking", "GET /me/volunteer",
    "PUT /me/volunteer", "POST /me/volunteer/withdraw", "GET /me/volunteer/tasks",
    "POST /me/volunteer/tasks/{id}/{step}", "GET /me/volunteer/ranking"}
# Needs and offers: role by role, in and out of scope, in tests/needs/test_api.py (the scene
# holds no need); the public sums of donations are open to anyone.
NEEDS_ROUTES = {
    "GET /needs", "POST /needs", "GET /needs/{id}", "POST /needs/{id}/close",
    "GET /needs/{id}/suggestions", "GET /needs/offers", "POST /needs/offers",
    "GET /needs/offers/{id}", "GET /needs/offers/{id}/matches",
    "POST /needs/offers/{id}/close", "GET /needs/matches",
    "POST /needs/matches", "GET /needs/matches/{id}", "POST /needs/matches/{id}/deliver",
    "POST /needs/matches/{id}/cancel", "GET /needs/donations", "POST /needs/donations",
    "GET /needs/donations/summary/{code}"}
# A resident's own requests: role by role, their own only, in tests/residents/
# test_requests_api.py (the scene's residents are linked to no person).
RESIDENT_REQUEST_ROUTES = {"GET /me/requests", "POST /me/requests", "GET /me/requests/{id}",
                           "POST /me/requests/{id}/rating"}
# Conventions and a resident's own: role by role, in and out of scope, in
# tests/conventions/test_api.py (the scene holds no convention).
CONVENTION_ROUTES = {
    "GET /conventions", "POST /conventions", "GET /conventions/breaches",
    "POST /conventions/breaches/{id}/handle", "POST /conventions/comments/{id}/hide",
    "GET /conventions/{id}", "GET /conventions/{id}/diff", "POST /conventions/{id}/versions",
    "POST /conventions/{id}/discussion", "POST /conventions/{id}/vote",
    "POST /conventions/{id}/close", "POST /conventions/{id}/repeal",
    "GET /conventions/{id}/comments", "POST /conventions/{id}/comments",
    "POST /conventions/{id}/breaches", "POST /conventions/{id}/reviews",
    "GET /me/conventions", "GET /me/conventions/{id}", "GET /me/conventions/{id}/comments",
    "POST /me/conventions/{id}/comments", "POST /me/conventions/{id}/ballot",
    "POST /me/conventions/{id}/breaches"}


# Risk grades: every role, in and out of scope, in tests/risk/test_api.py (the scene holds no
# grade).
RISK_ROUTES = {"GET /risk/rule-sets", "POST /risk/rule-sets", "GET /risk/rule-sets/{id}",
               "GET /risk/rule-sets/{id}/preview", "POST /risk/rule-sets/{id}/put-in-force",
               "GET /risk/grades", "GET /risk/grades/{kind}/{key}"}


# A real warning's CAP document is public, in scope or not; an exercise's is 404 to those who
# may not see it (tests/alerts/test_api.py).
ALERT_ROUTES = {"GET /alerts/{id}/cap.xml"}

# Supplies: requests, allocations and dispatch orders, role by role and in and out of scope,
# in tests/resources/test_supply_api.py and test_supply_matrix.py (the scene holds none).
SUPPLY_ROUTES = {
    "GET /resources/requests", "POST /resources/requests", "GET /resources/requests/{id}",
    "POST /resources/requests/{id}/cancel", "GET /resources/allocations",
    "POST /resources/allocations", "GET /resources/allocations/{id}",
    "PATCH /resources/allocations/{id}/shipments/{shipment_id}",
    "POST /resources/allocations/{id}/confirm", "GET /resources/dispatches",
    "GET /resources/dispatches/{id}", "POST /resources/dispatches/{id}/dispatch",
    "POST /resources/dispatches/{id}/deliver"}

# Care visits and remote medical help: every role, in and out of scope, in tests/care/
# test_api.py and test_medical_api.py (the scene holds no one under a visit rule and no
# health centre).
CARE_ROUTES = {"GET /care/rules", "GET /care/due", "GET /care/visits", "POST /care/visits",
               "GET /care/on-time", "GET /care/medical", "POST /care/medical",
               "GET /care/medical/{id}", "POST /care/medical/{id}/appointment",
               "POST /care/medical/{id}/delivery", "POST /care/medical/{id}/delivered",
               "POST /care/medical/{id}/follow-up"}

# Populations and circumstances: a population's code in the path, every role in and out of
# scope in tests/api/test_populations_api.py.
POPULATION_ROUTES = {"GET /populations", "GET /persons/{id}/circumstances",
                     "PUT /persons/{id}/circumstances/{key}",
                     "POST /persons/{id}/circumstances/{key}/end", "GET /circumstances"}

# Graded buildings as GeoJSON: the scene grades none (tests/risk/test_map_api.py).
RISK_MAP_ROUTES = {"GET /risk/buildings.geojson"}

# Accounts: those who manage any (MANAGE_ACCOUNTS or MANAGE_STAFF_ACCOUNTS) reach them; the
# scene's account is a grid worker of grid A (in) or C (out).
ACCOUNT_ROUTES = {"GET /accounts", "POST /accounts", "GET /accounts/{id}",
                  "PATCH /accounts/{id}", "POST /accounts/{id}/password-link"}


@pytest.mark.parametrize("role", Role.values)
def test_access_to_accounts(role, scene, db, api_as):
    api = api_as(make_user(role, STREET_1))
    manages = {Action.MANAGE_ACCOUNTS, Action.MANAGE_STAFF_ACCOUNTS} & ROLE_ACTIONS[role]
    listed = api.get("/accounts")
    assert listed.status_code == (200 if manages else 403)
    for in_scope in (IN, OUT):
        records = scene[in_scope]
        account = records["account"]
        want = 403 if not manages else 200 if in_scope else 404
        for method, path, body in (
                ("GET", f"/accounts/{account.pk}", None),
                ("PATCH", f"/accounts/{account.pk}", {"name": "改名", **REASON}),
                ("POST", f"/accounts/{account.pk}/password-link", REASON)):
            response = api.send(method, path, body)
            assert response.status_code == want, (method, path, in_scope, response.content)
        created = api.post("/accounts", {"username": f"new-{role}-{in_scope}",
                                         "role": Role.VOLUNTEER,
                                         "jurisdictions": [records["grid"]], **REASON})
        assert created.status_code == (403 if not manages else 201 if in_scope else 422)
    if manages:
        assert [item["id"] for item in listed.json()["items"]].count(
            scene[IN]["account"].pk) == 1


# Imports and reports. A job is its uploader's own (anyone else's is 404), and a report's
# scope is a code in the query, so these are checked role by role here rather than above.
IMPORT_AND_REPORT_ROUTES = {
    "POST /imports", "GET /imports/{id}", "GET /imports/{id}/rejects",
    "POST /imports/{id}/retry", "GET /import-templates/{kind}",
    "GET /imports/addresses", "POST /imports/addresses/{id}",
    "GET /report-templates", "GET /report-templates/{slug}/export",
    "GET /report-templates/{slug}/gaps",
}


@pytest.mark.parametrize("role", Role.values)
def test_access_to_reports(role, scene, db, api_as):
    api = api_as(make_user(role, STREET_1))
    may = Action.USE_REPORTS in ROLE_ACTIONS[role]
    assert api.get("/report-templates").status_code == (200 if may else 403)
    for in_scope, scope in ((IN, STREET_1), (OUT, STREET_2)):
        for path in ("export", "gaps"):
            response = api.get(f"/report-templates/civil-affairs-elderly-alone/{path}",
                               {"scope": scope, "format": "csv"}, **PURPOSE)
            want = 403 if not may else 200 if in_scope else 404
            assert response.status_code == want, (path, in_scope)


@pytest.mark.parametrize("role", Role.values)
def test_access_to_imports(role, scene, db, api_as):
    user = make_user(role, STREET_1)
    api = api_as(user)
    actions = ROLE_ACTIONS[role]
    upload = ContentFile(f"姓名,身份证号,网格编码\r\n张伟,,{GRID_A}\r\n".encode(), name="a.csv")
    response = api.client.post("/api/v1/imports", {"file": upload, "kind": "persons"})
    may_import = {Action.IMPORT_FILES, Action.EDIT_PEOPLE} <= actions
    assert response.status_code == (202 if may_import else 403), response.content.decode()
    rejects = job_storage().save("matrix/rejects.xlsx", ContentFile(b"PK"))
    for owner, in_scope in ((user, IN), (make_user(Role.COMMUNITY_STAFF, STREET_1), OUT)):
        job = ImportJob.objects.create(user=owner, kind="persons", file=rejects,
                                       rejects=rejects, status=ImportJob.Status.REJECTED)
        for path in (f"/imports/{job.pk}", f"/imports/{job.pk}/rejects"):
            want = (403 if Action.IMPORT_FILES not in actions else 200 if in_scope else 404)
            assert api.get(path).status_code == want, (path, in_scope)
        # Only a failed job is retried: the owner's rejected one is a conflict.
        want = (403 if Action.IMPORT_FILES not in actions else 409 if in_scope else 404)
        assert api.post(f"/imports/{job.pk}/retry", {}).status_code == want, in_scope
    template = api.get("/import-templates/persons")
    assert template.status_code == (200 if Action.IMPORT_FILES in actions else 403)


@pytest.mark.parametrize("role", Role.values)
def test_access_to_the_address_queue(role, scene, db, api_as):
    api = api_as(make_user(role, STREET_1))
    may = Action.PLACE_ADDRESSES in ROLE_ACTIONS[role]
    waiting = {side: scene[side]["queued"] for side in (IN, OUT)}
    listed = api.get("/imports/addresses")
    assert listed.status_code == (200 if may else 403)
    if may:
        assert [item["id"] for item in listed.json()["items"]] == [waiting[IN].pk]
    for in_scope in (IN, OUT):
        building = scene[in_scope]["building"]
        answer = api.post(f"/imports/addresses/{waiting[in_scope].pk}",
                          {"building_id": building.pk})
        want = 403 if not may else 200 if in_scope else 404
        assert answer.status_code == want, (in_scope, answer.content)



# A patrol is changed by its patroller alone: anyone else who may see it is refused (403).
OWN_PATROL_ROUTES = {"POST /patrols/{id}/visits", "POST /patrols/{id}/findings",
                     "POST /patrols/{id}/end"}


@pytest.mark.parametrize("role", Role.values)
def test_access_to_own_patrols(role, scene, db, api_as):
    api = api_as(make_user(role, STREET_1))
    actions = ROLE_ACTIONS[role]
    category = scene[IN]["category"].pk
    for in_scope in (IN, OUT):
        path = f"/patrols/{scene[in_scope]['patrol'].pk}"
        for route, body in ((f"{path}/visits", {"building_id": scene[IN]["patrol_building"].pk}),
                            (f"{path}/end", {})):
            want = 403 if Action.VIEW_PATROLS not in actions else 403 if in_scope else 404
            assert api.post(route, body).status_code == want, (route, in_scope)
    started = api.post("/patrols", {"grid_code": GRID_A})
    if Action.PATROL not in actions:
        assert started.status_code == 403
        return
    path = f"/patrols/{started.json()['id']}"
    for side, want in ((OUT, 422), (IN, 201)):
        visit = {"building_id": scene[side]["patrol_building"].pk}
        assert api.post(f"{path}/visits", visit).status_code == want, side
        finding = {"category_id": category, "description": "楼道堆物", **visit}
        assert api.post(f"{path}/findings", finding).status_code == want, side
    assert api.post(f"{path}/end", {}).status_code == 200


# Event photos are multipart: allowed to those who may comment on the event, in scope.
EVENT_PHOTO_ROUTES = {"POST /events/{id}/photos"}


@pytest.mark.parametrize("role", Role.values)
def test_access_to_event_photos(role, scene, db, api_as, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    api = api_as(make_user(role, STREET_1))
    actions = ROLE_ACTIONS[role]
    for in_scope in (IN, OUT):
        photo = io.BytesIO()
        Image.new("RGB", (8, 8)).save(photo, format="PNG")
        upload = ContentFile(photo.getvalue(), name="a.png")
        response = api.client.post(f"/api/v1/events/{scene[in_scope]['event'].pk}/photos",
                                   {"photos": [upload]})
        want = (403 if Action.VIEW_EVENTS not in actions else 404 if not in_scope
                else 201 if Action.COMMENT_EVENTS in actions else 403)
        assert response.status_code == want, (in_scope, response.content.decode())


# The access log is not scoped by jurisdiction: the auditor alone reads all of it.
ACCESS_LOG_ROUTES = ("GET /access-log", "GET /access-log/volumes")


@pytest.mark.parametrize("role", Role.values)
def test_only_the_auditor_reads_the_access_log(role, db, api_as):
    api = api_as(make_user(role, STREET_1))
    for route in ACCESS_LOG_ROUTES:
        response = api.get(route.removeprefix("GET "))
        assert response.status_code == (200 if role == Role.AUDITOR else 403), route
