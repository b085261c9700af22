import datetime

import pytest

from tests.api.helpers import ENGLISH
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
from wangge.foundation.permissions import Role
from wangge.people.models import Household, Person, PersonMove


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
    # The answer shows the full ID and birth date only with a purpose, like any read.
    assert (person["birth_date"], person["sex"], person["phone"]) == (
        "1990", "F", "13800001111")
    assert person["grid_code"] == GRID_B
    read = worker_api.get(f"/persons/{person['id']}", **{"X-Purpose": "identity"}).json()
    assert (read["birth_date"], read["id_number"]) == ("1990-02-03", number)


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
    long_reason = "入户走访核实：" + "本人口述并出示劳动合同" * 15  # longer than 100 characters
    worker_api.patch(f"/persons/{person.pk}", {"occupation": "厨师", "reason": long_reason})
    assert worker_api.get(f"/persons/{person.pk}/history").json()[0]["reason"] == long_reason


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


def test_null_clears_a_persons_optional_fields_and_is_refused_for_required_ones(worker_api):
    person = make_person(GRID_A, occupation="司机", vulnerable_tags=["low_income"])
    path = f"/persons/{person.pk}"
    refused = worker_api.patch(path, {"name": None, "residence_type": None, "reason": "核实"},
                               **ENGLISH)
    assert refused.status_code == 422
    assert refused.json()["errors"] == {"name": ["This field cannot be null."],
                                        "residence_type": ["This field cannot be null."]}
    cleared = worker_api.patch(path, {"occupation": None, "phone": None,
                                      "vulnerable_tags": None, "reason": "核实"}).json()
    assert (cleared["occupation"], cleared["phone"], cleared["vulnerable_tags"]) == ("", "", [])
    assert cleared["name"] == person.name  # fields left out stay as they were


def test_null_clears_the_birth_date_of_a_person_without_a_resident_id(worker_api):
    person = make_person(GRID_A, document_type="passport", id_number="E12345678",
                         birth_date=datetime.date(1990, 1, 2))
    cleared = worker_api.patch(f"/persons/{person.pk}", {"birth_date": None, "reason": "录错"})
    assert cleared.json()["birth_date"] is None
    person.refresh_from_db()
    assert person.birth_date is None


def test_roles_that_see_the_id_masked_see_only_the_birth_year(world, api_as):
    person = make_person(GRID_A, id_number=resident_id(datetime.date(1956, 3, 4)))
    volunteer = api_as(make_user(Role.VOLUNTEER, COMMUNITY_1))
    assert volunteer.get(f"/persons/{person.pk}").json()["birth_date"] == "1956"
    worker = api_as(make_user(Role.GRID_WORKER, GRID_A))
    assert worker.get(f"/persons/{person.pk}").json()["birth_date"] == "1956"
    assert worker.get(f"/persons/{person.pk}",
                      **{"X-Purpose": "identity"}).json()["birth_date"] == "1956-03-04"


def test_a_household_is_renumbered_and_gets_a_new_head_from_its_members(worker_api):
    head = make_person(GRID_A, name="户主")
    spouse = make_person(GRID_A, name="配偶", dwelling=head.dwelling)
    stranger = make_person(GRID_A, name="邻居")
    household = worker_api.post("/households", {"head_id": head.pk}).json()
    worker_api.post(f"/households/{household['id']}/members",
                    {"person_id": spouse.pk, "relationship": "spouse"})
    path = f"/households/{household['id']}"
    assert "reason" in worker_api.patch(path, {"number": "H2"}).json()["errors"]
    not_a_member = worker_api.patch(path, {"head_id": stranger.pk, "reason": "户主变更"})
    assert not_a_member.status_code == 422
    assert "head" in not_a_member.json()["errors"]
    changed = worker_api.patch(path, {"number": "H2", "head_id": spouse.pk,
                                      "reason": "户主变更"})
    assert (changed.json()["number"], changed.json()["head_id"]) == ("H2", spouse.pk)
    head.refresh_from_db()
    spouse.refresh_from_db()
    assert (head.relationship, spouse.relationship) == ("other", "head")
    assert spouse.history.first().history_change_reason == "户主变更"
    assert worker_api.patch(path, {"dwelling_id": None, "reason": "拆迁"}).json()[
        "dwelling_id"] is None


def test_a_household_is_deleted_only_once_its_members_are_taken_out(worker_api):
    head = make_person(GRID_A, name="户主")
    household = worker_api.post("/households", {"head_id": head.pk}).json()
    path = f"/households/{household['id']}"
    in_use = worker_api.delete(path, {"reason": "户已注销"}, **ENGLISH)
    assert in_use.status_code == 409
    assert "people (1)" in in_use.json()["message"]
    leave = f"{path}/members/{head.pk}"
    assert "reason" in worker_api.delete(leave).json()["errors"]
    assert worker_api.delete(leave, {"reason": "迁出"}).status_code == 204
    assert worker_api.delete(leave, {"reason": "迁出"}).status_code == 404  # no longer a member
    head.refresh_from_db()
    assert (head.household, head.relationship) == (None, "")
    assert worker_api.get(path).json()["head_id"] is None
    assert worker_api.delete(path, {"reason": "户已注销"}).status_code == 204
    assert Household.history.get(id=household["id"], history_type="-").history_change_reason == (
        "户已注销")
    assert Person.objects.filter(pk=head.pk).exists()
