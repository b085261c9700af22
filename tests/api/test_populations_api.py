"""The populations API: what a machine may send, and a person's circumstances through it."""

import pytest

from tests.factories import GRID_A, GRID_C, make_person, make_user

pytestmark = pytest.mark.django_db


def test_populations_list_their_fields(world, api_as):
    answer = api_as(make_user("grid_worker", GRID_A)).get("/populations")
    assert answer.status_code == 200
    older = next(p for p in answer.json() if p["key"] == "older_people")
    living = next(f for f in older["fields"] if f["key"] == "living_situation")
    assert living["kind"] == "choice"
    assert ["alone", "独居"] in living["choices"]


def test_record_read_and_end_a_circumstance(world, api_as):
    worker = make_user("grid_worker", GRID_A)
    person, guardian = make_person(GRID_A, "小明"), make_person(GRID_A, "张桂兰")
    api = api_as(worker, token=True)
    path = f"/persons/{person.pk}/circumstances"
    refused = api.send("PUT", f"{path}/left_behind_child",
                       {"values": {"school": "育才小学"}, "reason": "入户"})
    assert refused.status_code == 422
    assert "guardian" in refused.json()["errors"]
    saved = api.send("PUT", f"{path}/left_behind_child", {
        "values": {"guardian": guardian.pk, "school": "育才小学"}, "reason": "入户"})
    assert saved.status_code == 200
    values = {v["label"]: v for v in saved.json()[0]["values"]}
    assert values["监护人"]["person_id"] == guardian.pk
    assert api.get(path).json()[0]["population"] == "left_behind_child"
    listed = api.get("/circumstances", {"population": "left_behind_child"}).json()
    assert [row["person_id"] for row in listed["items"]] == [person.pk]
    ended = api.post(f"{path}/left_behind_child/end", {"reason": "父母返乡"})
    assert ended.status_code == 200
    assert ended.json() == []


def test_outside_the_jurisdiction_and_roles_that_do_not_see(world, api_as):
    person = make_person(GRID_A)
    outside = api_as(make_user("grid_worker", GRID_C))
    assert outside.get(f"/persons/{person.pk}/circumstances").status_code == 404
    assert outside.send("PUT", f"/persons/{person.pk}/circumstances/floating",
                        {"values": {}, "reason": "x"}).status_code == 404
    department = api_as(make_user("department_staff", GRID_A))
    assert department.get(f"/persons/{person.pk}/circumstances").status_code == 403
    assert department.get("/circumstances").status_code == 403
    worker = api_as(make_user("grid_worker", GRID_A))
    too_many = {f"k{index}": "x" for index in range(51)}
    assert worker.send("PUT", f"/persons/{person.pk}/circumstances/floating",
                       {"values": too_many, "reason": "x"}).status_code == 422
    assert worker.send("PUT", f"/persons/{person.pk}/circumstances/nosuch",
                       {"values": {}, "reason": "x"}).status_code == 404
