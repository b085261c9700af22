import datetime

import pytest

from tests.factories import (
    COMMUNITY_1,
    GRID_A,
    GRID_B,
    GRID_C,
    make_dwelling,
    make_person,
    make_user,
    resident_id,
)
from wangge.access.permissions import Role
from wangge.people.models import Person, PersonMove


def with_wrong_check_digit(number: str) -> str:
    return number[:-1] + ("1" if number[-1] == "0" else "0")


@pytest.fixture
def worker_api(world, api_as):
    return api_as(make_user(Role.GRID_WORKER, GRID_A, GRID_B))


@pytest.mark.parametrize(("field", "body"), [
    ("id_number", {"id_number": with_wrong_check_digit(resident_id())}),
    ("birth_date", {"id_number": resident_id(datetime.date(1980, 5, 17)),
                    "birth_date": "1981-05-17"}),
    ("phone", {"phone": "12345"}),
    ("grid_code", {"grid_code": GRID_C}),
    ("name", {"name": ""}),
])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(worker_api, field, body):
    response = worker_api.post("/persons", {"name": "王芳", "grid_code": GRID_A, **body})
    assert response.status_code == 422
    payload = response.json()
    assert field in payload["errors"]
    assert payload["errors"][field][0] in payload["message"]
    assert not Person.objects.exists()


def test_a_person_is_created_with_birth_date_and_sex_from_the_id(worker_api):
    number = resident_id(datetime.date(1990, 2, 3), male=False)
    dwelling = make_dwelling(GRID_B)
    response = worker_api.post("/persons", {"name": "李娜", "id_number": number,
                                            "phone": "138-0000-1111", "dwelling_id": dwelling.pk})
    assert response.status_code == 201
    person = response.json()
    assert (person["birth_date"], person["sex"], person["phone"]) == (
        "1990-02-03", "F", "13800001111")
    assert person["grid_code"] == GRID_B


def test_editing_a_person_needs_a_reason_and_keeps_it(worker_api):
    person = make_person(GRID_A)
    missing = worker_api.patch(f"/persons/{person.pk}", {"occupation": "司机"})
    assert missing.status_code == 422
    assert "reason" in missing.json()["errors"]
    person.refresh_from_db()
    assert person.occupation == ""
    done = worker_api.patch(f"/persons/{person.pk}", {"occupation": "司机", "reason": "走访核实"})
    assert done.json()["occupation"] == "司机"
    history = worker_api.get(f"/persons/{person.pk}/history").json()
    assert history[0]["reason"] == "走访核实"
    assert history[0]["changes"] == [
        {"field": "occupation", "label": "职业", "old": "", "new": "司机"}]


def test_search_by_name_phone_and_id_is_scoped_and_respects_masking(world, api_as):
    person = make_person(GRID_A, name="赵敏")
    make_person(GRID_C, name="赵刚")
    worker = api_as(make_user(Role.GRID_WORKER, GRID_A))
    for text in ("赵", person.phone, person.id_number):
        found = worker.get("/persons", {"q": text}).json()
        assert [item["id"] for item in found["items"]] == [person.pk], text
    volunteer = api_as(make_user(Role.VOLUNTEER, COMMUNITY_1))
    assert volunteer.get("/persons", {"q": person.phone}).json()["count"] == 0
    assert volunteer.get("/persons", {"q": "赵"}).json()["count"] == 1


def test_a_volunteer_sees_the_id_masked(world, api_as):
    person = make_person(GRID_A)
    shown = api_as(make_user(Role.VOLUNTEER, COMMUNITY_1)).get(f"/persons/{person.pk}").json()
    assert shown["id_number"] == person.id_number[:4] + "*" * 10 + person.id_number[-4:]
    assert person.id_number not in str(shown)


def test_a_transfer_moves_the_same_record(worker_api):
    person = make_person(GRID_A)
    target = make_dwelling(GRID_B, room="502")
    response = worker_api.post(f"/persons/{person.pk}/transfer",
                               {"dwelling_id": target.pk, "moved_on": "2024-05-01",
                                "reason": "搬家"})
    assert response.status_code == 201
    assert response.json()["to_grid_code"] == GRID_B
    person.refresh_from_db()
    assert (person.dwelling, person.grid_code) == (target, GRID_B)
    assert Person.objects.count() == 1
    assert PersonMove.objects.get().reason == "搬家"


def test_a_transfer_outside_the_jurisdiction_is_refused(world, api_as):
    person = make_person(GRID_A)
    outside = make_dwelling(GRID_C)
    response = api_as(make_user(Role.GRID_WORKER, GRID_A)).post(
        f"/persons/{person.pk}/transfer",
        {"dwelling_id": outside.pk, "moved_on": "2024-05-01", "reason": "搬家"})
    assert response.status_code == 422
    assert "dwelling_id" in response.json()["errors"]
    assert not PersonMove.objects.exists()


def test_persons_are_never_deleted(world, api_as):
    person = make_person(GRID_A)
    response = api_as(make_user(Role.DISTRICT_ADMIN, COMMUNITY_1)).delete(
        f"/persons/{person.pk}", {"reason": "x"})
    assert response.status_code == 405
    assert Person.objects.filter(pk=person.pk).exists()


def test_a_household_gets_its_head_and_members(worker_api):
    head = make_person(GRID_A, name="户主")
    child = make_person(GRID_A, name="孩子", dwelling=head.dwelling)
    household = worker_api.post("/households", {"head_id": head.pk, "number": "H1"}).json()
    assert household["head_id"] == head.pk
    added = worker_api.post(f"/households/{household['id']}/members",
                            {"person_id": child.pk, "relationship": "child"})
    assert added.status_code == 201
    assert added.json()["household_id"] == household["id"]
    assert worker_api.get("/households").json()["count"] == 1
