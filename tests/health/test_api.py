"""The API: institutions' lists in bulk (by id, or by name and ID number; all or nothing; the
same refusal for a wrong name and an unknown number), the grid worker's list of who has not
checked in, and the day's check-ins masked by role with unmasked reads logged."""

import pytest

from tests.factories import GRID_A, GRID_C
from wangge.access.services import token_create
from wangge.auditlog.models import Entry as LogEntry
from wangge.events.models import Event
from wangge.health.models import CheckIn, CheckInChannel, EnteredBy
from wangge.health.services import NOT_FOUND


@pytest.fixture
def api(client):
    def as_user(user):
        secret = token_create(user=user, name="t")
        headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

        class Api:
            def get(self, path, **params):
                return client.get(f"/api/v1{path}", params, **headers)

            def post(self, path, body):
                return client.post(f"/api/v1{path}", body, content_type="application/json",
                                   **headers)

        return Api()

    return as_user


def test_an_institution_sends_its_list(api, town):
    school = api(town.department)
    answer = school.post("/check-ins", {"entries": [
        {"name": "张伟", "id_number": town.head.id_number, "temperature": 36.5},
        {"name": "李娜", "id_number": town.spouse.id_number.lower(), "temperature": "37.6",
         "symptoms": ["cough"]},
        {"person_id": town.child.pk, "temperature": 36.4}]})
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"saved": 3, "updated": 0, "alerts": 1}
    stored = CheckIn.objects.get(person=town.spouse)
    assert (stored.entered_by, stored.channel, stored.recorder) == (
        EnteredBy.INSTITUTION, CheckInChannel.API, town.department)
    assert Event.objects.get().channel == "api"
    again = school.post("/check-ins", {"entries": [{"person_id": town.child.pk,
                                                    "temperature": 36.6}]})
    assert again.json() == {"saved": 1, "updated": 1, "alerts": 0}


def test_a_wrong_name_and_an_unknown_number_are_refused_alike_and_nothing_is_stored(api, town):
    school = api(town.department)
    answers = [school.post("/check-ins", {"entries": [
        {"person_id": town.head.pk, "temperature": 36.5}, wrong]}) for wrong in (
        {"name": "张三", "id_number": town.spouse.id_number, "temperature": 36.5},
        {"name": "李娜", "id_number": "11010519491231002X", "temperature": 36.5},
        {"name": town.in_c.name, "id_number": town.in_c.id_number, "temperature": 36.5},
        {"person_id": town.in_c.pk, "temperature": 36.5},
        {"person_id": 10**9, "temperature": 36.5})]
    for answer in answers:
        assert answer.status_code == 422
        assert answer.json()["errors"] == {"entries.1.person": [str(NOT_FOUND)]}
    assert not CheckIn.objects.exists()


def test_the_list_is_checked_like_any_answer(api, town):
    school = api(town.department)
    answer = school.post("/check-ins", {"entries": [
        {"person_id": town.spouse.pk, "temperature": 36.5},
        {"person_id": town.head.pk, "temperature": 52}]})
    assert answer.status_code == 422
    assert set(answer.json()["errors"]) == {"entries.1.temperature"}
    answer = school.post("/check-ins", {"entries": [
        {"person_id": town.spouse.pk, "temperature": 36.5, "symptoms": ["sneezing"]}]})
    assert answer.status_code == 422
    answer = school.post("/check-ins", {"entries": [
        {"person_id": town.spouse.pk, "temperature": 36.5, "test_result": "negative"}]})
    assert answer.json()["errors"] == {"entries.0.test_result": [
        "No test result is asked for here."]}


def test_roles_without_the_action_are_refused(api, town):
    for user in (town.volunteer, town.street):
        answer = api(user).post("/check-ins", {"entries": [{"person_id": town.head.pk,
                                                            "temperature": 36.5}]})
        assert answer.status_code == 403
    assert api(town.volunteer).get("/check-ins/missing", code=GRID_A).status_code == 403


def test_who_has_not_checked_in(api, town):
    worker = api(town.worker)
    worker.post("/check-ins", {"entries": [{"person_id": town.head.pk, "temperature": 36.5}]})
    listed = worker.get("/check-ins/missing", code=GRID_A).json()
    assert {item["name"] for item in listed["items"]} == {"李娜", "张小明", "王芳"}
    assert listed["count"] == 3
    assert worker.get("/check-ins/missing").json()["count"] == 3  # the worker's grid alone
    assert worker.get("/check-ins/missing", code=GRID_C).json()["count"] == 0
    community = api(town.community).get("/check-ins/missing").json()
    assert {item["name"] for item in community["items"]} == {"李娜", "张小明", "王芳", "钱七"}


def test_check_ins_are_masked_by_role_and_unmasked_reads_logged(api, town):
    api(town.worker).post("/check-ins", {"entries": [
        {"person_id": town.head.pk, "temperature": 38.2, "symptoms": ["fatigue"]}]})
    shown = api(town.worker).get("/check-ins", code=GRID_A).json()["items"]
    assert [(item["name"], item["temperature"], item["symptoms"], item["alert"])
            for item in shown] == [("张伟", "38.2", ["Fatigue"], True)]
    assert LogEntry.objects.filter(target="check-ins", username="worker-a").count() == 1
    masked = api(town.street).get("/check-ins").json()["items"]
    assert [(item["temperature"], item["symptoms"], item["alert"]) for item in masked] == [
        ("***", ["***"], "***")]
    assert not LogEntry.objects.filter(target="check-ins", username="street-1").exists()
