"""The review queue through the API: list, evidence (masked), accept, reject, merges, unmerge.
Who may call each route in and out of scope is in tests/api/test_access_matrix.py."""

import pytest

from tests.factories import COMMUNITY_1, GRID_A, STREET_1, SYSTEM, make_user
from tests.linkage.registry import background, doubtful_pair
from wangge.auditlog.models import Entry, Kind
from wangge.foundation.permissions import Role
from wangge.linkage.models import MatchCandidate, Merge
from wangge.linkage.services import candidates_find
from wangge.people.models import Person


@pytest.fixture
def queued(world):
    background(GRID_A, 200)
    first, second = doubtful_pair(GRID_A)
    candidates_find(scope=GRID_A, by=SYSTEM)
    return MatchCandidate.objects.get(left=first, right=second)


def test_the_queue_shows_the_evidence_masked_as_the_persons_are(queued, api_as):
    staff = api_as(make_user(Role.COMMUNITY_STAFF, COMMUNITY_1))
    listed = staff.get("/match-candidates").json()
    assert [item["id"] for item in listed["items"]] == [queued.pk]
    # The full ID needs a purpose, as for every read of a person (docs/audit.md).
    number = queued.left.id_number
    assert listed["items"][0]["left"]["id_number"] == number[:4] + "*" * 10 + number[-4:]
    listed = staff.get("/match-candidates", **{"X-Purpose": "correction"}).json()
    assert listed["items"][0]["left"]["id_number"] == queued.left.id_number
    [entry] = Entry.objects.filter(kind=Kind.LIST, purpose="correction")
    assert entry.record_ids == [queued.left_id, queued.right_id]
    detail = staff.get(f"/match-candidates/{queued.pk}").json()
    rows = {row["comparison"]: row for row in detail["evidence"]["rows"]}
    # The evidence too: the birth date in full only with a purpose, and that read is logged.
    assert rows["birth"]["left"] == "1984"
    assert number not in str(detail)
    detail = staff.get(f"/match-candidates/{queued.pk}", **{"X-Purpose": "correction"}).json()
    rows = {row["comparison"]: row for row in detail["evidence"]["rows"]}
    assert rows["birth"]["left"] == "19841102"
    assert rows["birth"]["level_label"] == "one part differs"
    assert rows["home"]["right"].endswith("13722223333")
    assert detail["evidence"]["probability"] == pytest.approx(queued.probability)

    # A street officer sees ID numbers and birth dates masked, here as on a person's record.
    officer = api_as(make_user(Role.STREET_OFFICER, STREET_1))
    detail = officer.get(f"/match-candidates/{queued.pk}").json()
    rows = {row["comparison"]: row for row in detail["evidence"]["rows"]}
    number = queued.left.id_number
    assert detail["left"]["id_number"] == number[:4] + "*" * 10 + number[-4:]
    assert rows["birth"]["left"] == "1984"
    assert number not in str(detail)
    assert "19841102" not in str(detail)


def test_accept_then_unmerge(queued, api_as):
    api = api_as(make_user(Role.COMMUNITY_STAFF, COMMUNITY_1))
    refused = api.post(f"/match-candidates/{queued.pk}/accept", {"reason": ""})
    assert refused.status_code == 422
    assert refused.json()["errors"] == {"reason": ["Say why."]}
    refused = api.post(f"/match-candidates/{queued.pk}/accept",
                       {"reason": "同一人", "keep_id": 999999})
    assert refused.status_code == 422
    assert "keep_id" in refused.json()["errors"]

    response = api.post(f"/match-candidates/{queued.pk}/accept", {"reason": "同一人"})
    assert response.status_code == 201, response.content
    merge = response.json()
    assert (merge["kept_id"], merge["absorbed_id"]) == (queued.left_id, queued.right_id)
    assert api.get(f"/persons/{queued.right_id}").status_code == 404  # hidden once merged
    assert api.get("/match-candidates").json()["count"] == 0
    assert api.get("/match-candidates", {"status": "accepted"}).json()["count"] == 1
    assert [item["id"] for item in api.get("/merges").json()["items"]] == [merge["id"]]
    again = api.post(f"/match-candidates/{queued.pk}/accept", {"reason": "同一人"})
    assert again.status_code == 422
    assert "already been decided" in again.json()["message"]

    undone = api.post(f"/merges/{merge['id']}/unmerge", {"reason": "两个人"})
    assert undone.status_code == 200
    assert undone.json()["undo_reason"] == "两个人"
    assert api.get(f"/persons/{queued.right_id}").status_code == 200
    assert api.post(f"/merges/{merge['id']}/unmerge", {"reason": "再来"}).status_code == 422
    assert Merge.objects.get().undone is not None


def test_a_merge_shows_what_it_changed_masked_unless_a_purpose_is_given(queued, api_as):
    api = api_as(make_user(Role.COMMUNITY_STAFF, COMMUNITY_1))
    number = queued.left.id_number
    # The record without an ID number is kept: it takes the other's, which changes both.
    Person.objects.filter(pk=queued.right_id).update(birth_date=queued.left.birth_date)
    merged = api.post(f"/match-candidates/{queued.pk}/accept",
                      {"reason": "同一人", "keep_id": queued.right_id})
    assert merged.status_code == 201, merged.content
    masked = number[:4] + "*" * 10 + number[-4:]
    assert merged.json()["changes"]["person"][str(queued.right_id)]["id_number"] == [
        "", masked]
    listed = api.get("/merges").json()
    assert number not in str(listed)
    assert listed["items"][0]["changes"]["person"][str(queued.left_id)]["id_number"] == [
        masked, ""]
    revealed = api.get("/merges", **{"X-Purpose": "correction"}).json()
    assert revealed["items"][0]["changes"]["person"][str(queued.right_id)]["id_number"] == [
        "", number]
    [entry] = Entry.objects.filter(kind=Kind.LIST, purpose="correction")
    assert entry.record_ids == [queued.right_id, queued.left_id]


def test_reject(queued, api_as):
    api = api_as(make_user(Role.DISTRICT_ADMIN, COMMUNITY_1))
    response = api.post(f"/match-candidates/{queued.pk}/reject", {"reason": "两个人"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["review_reason"]) == (
        "rejected", "两个人")
    assert api.get("/match-candidates").json()["count"] == 0
