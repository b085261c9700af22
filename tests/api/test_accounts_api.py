"""The accounts API: the account pages' rules for machines (the services decide)."""

import pytest

from tests.factories import DISTRICT, GRID_A, GRID_C, STREET_1, make_user
from wangge.access.models import User
from wangge.foundation.permissions import Role


@pytest.fixture
def street_api(world, api_as):
    return api_as(make_user(Role.STREET_OFFICER, STREET_1), token=True)


def test_creating_answers_a_one_time_link_and_never_a_password(street_api, client):
    response = street_api.post("/accounts", {
        "username": "api-worker", "name": "赵", "role": "grid_worker",
        "jurisdictions": [GRID_A], "reason": "新入职"})
    assert response.status_code == 201
    body = response.json()
    assert "password" not in body["account"]
    assert body["account"]["jurisdictions"] == [{"code": GRID_A, "name": "民意一网格"}]
    assert "/account/set-password/" in body["password_link"]
    assert not User.objects.get(username="api-worker").has_usable_password()
    assert client.get(body["password_link"]).status_code == 302  # on to the owner's form


def test_a_role_above_or_an_area_outside_is_a_422(street_api):
    for role, area, field in (("district_admin", GRID_A, "role"),
                              ("grid_worker", GRID_C, "jurisdictions")):
        response = street_api.post("/accounts", {"username": "x", "role": role,
                                                 "jurisdictions": [area], "reason": "试图"})
        assert response.status_code == 422
        assert field in response.json()["errors"]


def test_a_change_needs_a_reason_and_stays_within(street_api, world):
    worker = make_user(Role.GRID_WORKER, GRID_A)
    district = make_user(Role.DISTRICT_ADMIN, DISTRICT)
    assert street_api.patch(f"/accounts/{worker.pk}", {"is_active": False}).status_code == 422
    done = street_api.patch(f"/accounts/{worker.pk}", {"is_active": False, "reason": "离职"})
    assert done.status_code == 200
    assert done.json()["is_active"] is False
    assert street_api.get(f"/accounts/{district.pk}").status_code == 404
    assert street_api.patch(f"/accounts/{worker.pk}",
                            {"role": "district_admin", "reason": "提拔"}).status_code == 422


def test_filters(street_api, world):
    make_user(Role.GRID_WORKER, GRID_A, username="gw-one")
    make_user(Role.VOLUNTEER, GRID_A, username="vol-two")
    names = {item["username"] for item in street_api.get(
        "/accounts", {"role": "volunteer"}).json()["items"]}
    assert names == {"vol-two"}
    names = {item["username"] for item in street_api.get(
        "/accounts", {"q": "one"}).json()["items"]}
    assert names == {"gw-one"}
