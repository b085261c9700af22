import pytest

from tests.api.helpers import ENGLISH
from tests.factories import (
    COMMUNITY_1,
    COMMUNITY_2,
    GRID_A,
    GRID_B,
    GRID_C,
    make_person,
    make_user,
)
from wangge.foundation.permissions import Role
from wangge.organizations.models import Membership, Organization, ServedGrid


def test_an_organization_serving_a_grid_is_seen_there(world, api_as):
    officer = api_as(make_user(Role.DISTRICT_ADMIN, "420102000000"))
    created = officer.post("/organizations", {
        "name": "天声物业", "kind": "property_company", "grid_code": COMMUNITY_2,
        "contact_phone": "027-85551234", "served_grid_codes": [GRID_A, GRID_C],
    })
    assert created.status_code == 201
    assert created.json()["contact_phone"] == "02785551234"
    worker = api_as(make_user(Role.GRID_WORKER, GRID_A))
    (seen,) = worker.get("/organizations").json()["items"]
    assert seen["served_grid_codes"] == [GRID_A, GRID_C]
    assert worker.get(f"/organizations/{seen['id']}").status_code == 200


def test_an_organization_outside_the_jurisdiction_is_refused(world, api_as):
    staff = api_as(make_user(Role.COMMUNITY_STAFF, COMMUNITY_1))
    response = staff.post("/organizations", {"name": "外区队", "kind": "volunteer_team",
                                             "grid_code": GRID_C})
    assert response.status_code == 422
    assert "grid_code" in response.json()["errors"]
    bad_kind = staff.post("/organizations", {"name": "队", "kind": "club", "grid_code": GRID_A})
    assert bad_kind.status_code == 422
    assert "kind" in bad_kind.json()["errors"]
    assert not Organization.objects.exists()


@pytest.fixture
def staff(world, api_as):
    return api_as(make_user(Role.COMMUNITY_STAFF, COMMUNITY_1))


def test_an_organization_is_corrected_and_its_served_grids_replaced(staff):
    team = staff.post("/organizations", {"name": "志愿队", "kind": "volunteer_team",
                                         "grid_code": GRID_A, "contact_phone": "13800001111",
                                         "served_grid_codes": [GRID_A]}).json()
    path = f"/organizations/{team['id']}"
    changed = staff.patch(path, {"name": "民意志愿队", "contact_phone": None,
                                 "served_grid_codes": [GRID_B], "reason": "换届"}).json()
    assert (changed["name"], changed["contact_phone"], changed["served_grid_codes"]) == (
        "民意志愿队", "", [GRID_B])
    assert Organization.history.filter(id=team["id"]).first().history_change_reason == "换届"
    served = ServedGrid.history.filter(organization_id=team["id"], history_change_reason="换届")
    assert sorted(served.values_list("grid_code", "history_type")) == [(GRID_A, "-"),
                                                                       (GRID_B, "+")]
    for body in ({"contact_phone": "123"}, {"kind": "club"}, {"name": None}):
        refused = staff.patch(path, body)
        assert refused.status_code == 422
        assert set(refused.json()["errors"]) == set(body)
    outside = staff.patch(path, {"grid_code": COMMUNITY_2})
    assert outside.status_code == 422
    assert "grid_code" in outside.json()["errors"]


def test_an_organization_seen_only_through_a_served_grid_is_not_changed_there(world, api_as):
    admin = api_as(make_user(Role.DISTRICT_ADMIN, "420102000000"))
    other = admin.post("/organizations", {"name": "天声物业", "kind": "property_company",
                                          "grid_code": COMMUNITY_2,
                                          "served_grid_codes": [GRID_A, GRID_C]}).json()
    staff = api_as(make_user(Role.COMMUNITY_STAFF, COMMUNITY_1))
    path = f"/organizations/{other['id']}"
    assert staff.get(path).status_code == 200
    refused = staff.patch(path, {"served_grid_codes": []})
    assert refused.status_code == 403
    assert "天声物业" in refused.json()["message"]
    assert staff.delete(path, {"reason": "x"}).status_code == 403
    assert Organization.objects.get(pk=other["id"]).served_grids.count() == 2


def test_members_join_and_leave_with_their_reasons(staff):
    team = staff.post("/organizations", {"name": "党支部", "kind": "party",
                                         "grid_code": COMMUNITY_1}).json()
    members = f"/organizations/{team['id']}/members"
    person = make_person(GRID_A, name="党员")
    joined = staff.post(members, {"person_id": person.pk, "title": "书记",
                                  "joined_on": "2020-07-01", "reason": "选举"})
    assert joined.status_code == 201
    assert joined.json() == {"person_id": person.pk, "name": "党员", "title": "书记",
                             "joined_on": "2020-07-01"}
    again = staff.post(members, {"person_id": person.pk})
    assert again.status_code == 422
    assert "person" in again.json()["errors"]
    outsider = make_person(GRID_C, name="外人")
    foreign = staff.post(members, {"person_id": outsider.pk})
    assert foreign.status_code == 422
    assert "person_id" in foreign.json()["errors"]
    assert staff.get(members).json()["items"] == [joined.json()]

    in_use = staff.delete(f"/organizations/{team['id']}", {"reason": "撤销"}, **ENGLISH)
    assert in_use.status_code == 409
    assert "memberships (1)" in in_use.json()["message"]
    assert "reason" in staff.delete(f"{members}/{person.pk}").json()["errors"]
    assert staff.delete(f"{members}/{person.pk}", {"reason": "调离"}).status_code == 204
    left = Membership.history.get(person_id=person.pk, history_type="-")
    assert left.history_change_reason == "调离"
    assert staff.get(members).json()["count"] == 0
    assert staff.delete(f"/organizations/{team['id']}", {"reason": "撤销"}).status_code == 204
    assert not Organization.objects.filter(pk=team["id"]).exists()


def test_members_outside_the_jurisdiction_stay_out_of_sight(world, api_as):
    admin = api_as(make_user(Role.DISTRICT_ADMIN, "420102000000"))
    team = admin.post("/organizations", {"name": "区志愿队", "kind": "volunteer_team",
                                         "grid_code": GRID_A}).json()
    members = f"/organizations/{team['id']}/members"
    near, far = make_person(GRID_A, name="近"), make_person(GRID_C, name="远")
    for person in (near, far):
        admin.post(members, {"person_id": person.pk})
    worker = api_as(make_user(Role.GRID_WORKER, GRID_A))
    assert [member["name"] for member in worker.get(members).json()["items"]] == ["近"]
    resident = api_as(make_user(Role.RESIDENT, GRID_A))
    assert resident.get(members).status_code == 403
