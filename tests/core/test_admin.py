import pytest

from tests.factories import (
    COMMUNITY_1,
    DISTRICT,
    GRID_A,
    GRID_C,
    STREET_1,
    make_person,
    make_user,
    square,
)
from wangge.access.permissions import Role
from wangge.people.models import Person


@pytest.fixture
def people(world):
    return {"a": make_person(GRID_A, name="甲居民"), "c": make_person(GRID_C, name="丙居民")}


def test_admin_lists_only_the_jurisdiction(client, people):
    client.force_login(make_user(Role.COMMUNITY_STAFF, COMMUNITY_1))
    page = client.get("/admin/people/person/").content.decode()
    assert "甲居民" in page
    assert "丙居民" not in page
    assert client.get(f"/admin/people/person/{people['c'].pk}/change/").status_code == 404
    assert client.get(f"/admin/people/person/{people['a'].pk}/change/").status_code == 200


def test_admin_masks_ids_for_a_street_officer(client, people):
    client.force_login(make_user(Role.STREET_OFFICER, STREET_1))
    page = client.get("/admin/people/person/").content.decode()
    number = people["a"].id_number
    assert number not in page
    assert number[:4] + "*" * 10 + number[-4:] in page
    change = client.get(f"/admin/people/person/{people['a'].pk}/change/").content.decode()
    assert number not in change
    assert client.get(f"/admin/people/person/{people['a'].pk}/history/").status_code == 403


def test_grid_workers_have_no_back_office(client, people):
    client.force_login(make_user(Role.GRID_WORKER, GRID_A))
    assert client.get("/admin/people/person/").status_code == 302


def test_admin_edit_validates_and_records_the_reason(client, people):
    client.force_login(make_user(Role.COMMUNITY_STAFF, COMMUNITY_1))
    person = people["a"]
    url = f"/admin/people/person/{person.pk}/change/"
    form = {
        "name": person.name, "document_type": person.document_type,
        "id_number": person.id_number, "sex": person.sex, "birth_date": person.birth_date,
        "ethnicity": "", "phone": "12345", "residence_type": person.residence_type,
        "occupation": "", "health_status": person.health_status, "vulnerable_tags": "[]",
        "reason": "更正电话",
    }
    response = client.post(url, form)
    assert response.status_code == 200
    assert "不是电话号码" in response.content.decode()
    assert Person.objects.get(pk=person.pk).phone == person.phone
    response = client.post(url, {**form, "phone": "139-0000-1234"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.phone == "13900001234"
    assert person.history.latest().history_change_reason == "更正电话"


def test_admin_refuses_an_overlapping_grid(client, world):
    client.force_login(make_user(Role.DISTRICT_ADMIN, DISTRICT))
    import json

    response = client.post("/admin/divisions/grid/add/", {
        "code": "420102001001003", "name": "新网格",
        "boundary": json.dumps(square(114.305, 30.60)), "reason": "新建",
    })
    assert response.status_code == 200
    assert "民意一网格" in response.content.decode()
