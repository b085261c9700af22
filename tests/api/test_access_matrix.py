"""Every role × every endpoint, in and out of the caller's jurisdiction.

Expected statuses are derived from access.permissions (ROLE_ACTIONS, UNMASKED_FIELDS); the
assertions are on real responses. Each user answers for street 1 (grids A and B); grid C, in
street 2, is out of scope.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction

from tests.api.helpers import credit_code
from tests.factories import (
    COMMUNITY_1,
    COMMUNITY_2,
    GRID_A,
    GRID_C,
    STREET_1,
    STREET_2,
    centre_of,
    make_building,
    make_divisions,
    make_dwelling,
    make_person,
    make_user,
    square,
)
from wangge.access.permissions import ROLE_ACTIONS, UNMASKED_FIELDS, Action, Role
from wangge.organizations.services import organization_create
from wangge.people.services import household_create, person_update
from wangge.places.services import dwelling_create, enterprise_create, facility_create

IN, OUT = True, False


@dataclass(frozen=True)
class Scene:
    """One record of each kind in grid A (in scope) and grid C (out of scope)."""

    records: dict[bool, dict[str, Any]]

    def __getitem__(self, side: bool) -> dict[str, Any]:
        return self.records[side]


def _records(grid: str, serial: int) -> dict[str, Any]:
    lon, lat = centre_of(grid)
    person = make_person(grid, name="甲", health_status="chronic",
                         vulnerable_tags=["elderly_alone"])
    person_update(person=person, by=None, reason="更正电话",
                  phone=f"139{serial:08d}", health_status="serious")
    building = make_building(grid, name="3栋")
    return {
        "grid": grid,
        "division": COMMUNITY_1 if grid == GRID_A else COMMUNITY_2,
        "person": person,
        "homeless": make_person(grid, name="乙", dwelling=make_dwelling(grid, room="201")),
        "household": household_create(head=make_person(grid, name="丙")),
        "building": building,
        "dwelling": dwelling_create(building=building, unit=1, floor=1, room="101"),
        "empty_building": make_building(grid, name="空楼"),
        "spare": make_dwelling(grid, room="301"),
        "facility": facility_create(name="卫生站", kind="clinic", address="路1号",
                                    longitude=lon, latitude=lat),
        "enterprise": enterprise_create(name="小店", credit_code=credit_code(serial),
                                        address="路2号", longitude=lon, latitude=lat),
        "organization": organization_create(name="志愿队", kind="volunteer_team",
                                            grid_code=grid),
    }


@pytest.fixture(scope="module")
def scene(django_db_setup, django_db_blocker) -> Scene:
    """Built once for the module's ~350 tests, inside a transaction rolled back at the end;
    each test runs in its own savepoint, so its writes are undone too."""
    with django_db_blocker.unblock(), transaction.atomic():
        make_divisions()
        yield Scene({IN: _records(GRID_A, 1), OUT: _records(GRID_C, 2)})
        transaction.set_rollback(True)


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
        """The path as OpenAPI spells it: ``{code}`` for divisions and grids, else ``{id}``."""
        return re.sub(r"\{(\w+)\}", lambda match: "{code}" if match[1] in ("grid", "division")
                      else "{id}", self.template)


def _list(path: str, view: Action | None) -> Endpoint:
    return Endpoint("GET", path, view=view, kind="list")


PEOPLE, PLACES, ORGS = Action.VIEW_PEOPLE, Action.VIEW_PLACES, Action.VIEW_ORGANIZATIONS
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


def _masked(field: str, raw: Any) -> Any:
    """How a masked value looks (written out here, not computed by the code under test)."""
    if field == "id_number":
        return raw[:4] + "*" * (len(raw) - 8) + raw[-4:]
    if field == "phone":
        return raw[:3] + "*" * (len(raw) - 7) + raw[-4:]
    return ["***"] if field == "vulnerable_tags" else "***"


def assert_masking(role: str, shown: dict[str, Any], raw: dict[str, Any]) -> None:
    for field, value in raw.items():
        unmasked = field in UNMASKED_FIELDS[role]
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
           "health_status": person.health_status, "vulnerable_tags": person.vulnerable_tags}
    api = api_as(make_user(role, STREET_1))
    assert_masking(role, api.get(f"/persons/{person.pk}").json(), raw)
    listed = {item["id"]: item for item in api.get("/persons").json()["items"]}
    assert_masking(role, listed[person.pk], raw)
    if Action.VIEW_HISTORY in ROLE_ACTIONS[role]:
        latest = api.get(f"/persons/{person.pk}/history").json()[0]
        changed = {change["field"]: change for change in latest["changes"]}
        assert_masking(role, {field: changed[field]["new"] for field in ("phone",)},
                       {"phone": person.phone})
        assert changed["health_status"]["new"] == (
            "serious" if "health_status" in UNMASKED_FIELDS[role] else "***")
        assert changed["health_status"]["old"] == (
            "chronic" if "health_status" in UNMASKED_FIELDS[role] else "***")
        assert latest["reason"] == "更正电话"


def test_the_matrix_covers_every_route(client, db):
    """A new endpoint must join the matrix."""
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    routes = {f"{method.upper()} {path.removeprefix('/api/v1')}"
              for path, methods in paths.items() for method in methods}
    assert routes == {f"{endpoint.method} {endpoint.route}" for endpoint in ENDPOINTS}
