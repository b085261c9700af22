from tests.factories import COMMUNITY_1, COMMUNITY_2, GRID_A, GRID_C, make_user
from wangge.access.permissions import Role
from wangge.organizations.models import Organization


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
