"""The volunteers' API: role by role and in and out of scope, a resident's own side, what a
volunteer sees of a task (nothing of anyone), masked phones and names, and the bounds."""

import pytest

from tests.factories import COMMUNITY_1, COMMUNITY_2, STREET_1, STREET_2, make_user
from wangge.foundation.permissions import ROLE_ACTIONS, UNMASKED_FIELDS, Action, Role
from wangge.volunteers.models import LedgerEntry
from wangge.volunteers.services import points_correct, registration_report_in, task_sign_up

from .conftest import a_task, at, confirmed

JSON = {"content_type": "application/json"}


@pytest.mark.parametrize("role", Role.values)
def test_role_by_role_in_and_out_of_scope(role, town, client):
    registration = registration_report_in(by=town.ann_user)
    task = a_task(town.staff_1)
    manages = Action.MANAGE_VOLUNTEERS in ROLE_ACTIONS[role]
    for street, in_scope in ((STREET_1, True), (STREET_2, False)):
        client.force_login(make_user(role, street))
        found = (200 if in_scope else 404) if manages else 403
        assert client.get(f"/api/v1/volunteers/registrations/{registration.pk}"
                          ).status_code == found
        assert client.get(f"/api/v1/volunteers/tasks/{task.pk}").status_code == found
        assert client.get(f"/api/v1/volunteers/rules/{COMMUNITY_1}").status_code == found
        assert client.get(f"/api/v1/volunteers/ranking?code={COMMUNITY_1}"
                          ).status_code == found
        listed = client.get("/api/v1/volunteers/registrations")
        assert listed.status_code == (200 if manages else 403)
        if manages:
            assert listed.json()["count"] == (1 if in_scope else 0)
        decided = client.post(f"/api/v1/volunteers/registrations/{registration.pk}/decide",
                              {"confirm": False, "note": "不符合"}, **JSON)
        assert decided.status_code == found
        assert client.get("/api/v1/me/volunteer").status_code == (
            200 if Action.VIEW_OWN_RECORD in ROLE_ACTIONS[role] else 403)


def test_staff_flow(town, client, clock):
    client.force_login(town.staff_1)
    made = client.post("/api/v1/volunteers/tasks", {
        "code": COMMUNITY_1, "title": "敬老院探访", "place": "民意敬老院",
        "starts_at": at(24).isoformat(), "ends_at": at(27).isoformat(), "needed": 2,
        "kind": "elder_care", "skills": ["medical"], "contact_phone": "13900001111"}, **JSON)
    assert made.status_code == 201
    task = made.json()["id"]
    beyond = client.post("/api/v1/volunteers/tasks", {
        "code": COMMUNITY_2, "title": "x", "place": "y", "starts_at": at(24).isoformat(),
        "ends_at": at(25).isoformat(), "needed": 1}, **JSON)
    assert beyond.status_code == 422
    assert "code" in beyond.json()["errors"]
    ann = registration_report_in(by=town.ann_user, skills=["medical"])
    decided = client.post(f"/api/v1/volunteers/registrations/{ann.pk}/decide",
                          {"confirm": True}, **JSON)
    assert decided.json()["state"] == "confirmed"
    medical = client.get("/api/v1/volunteers/registrations?skill=medical").json()
    assert [item["id"] for item in medical["items"]] == [ann.pk]
    assert client.get("/api/v1/volunteers/registrations?skill=driving").json()["count"] == 0
    called = client.post(f"/api/v1/volunteers/tasks/{task}/call",
                         {"registration_ids": [ann.pk]}, **JSON)
    assert called.json() == {"called": 1}
    # The resident accepts on their side.
    client.force_login(town.ann_user)
    accepted = client.post(f"/api/v1/me/volunteer/tasks/{task}/accept", **JSON)
    assert accepted.status_code == 200
    assert accepted.json()["state"] == "signed_up"
    clock.move_to(at(27))
    client.force_login(town.staff_1)
    detail = client.get(f"/api/v1/volunteers/tasks/{task}").json()
    participation = detail["participants"][0]
    assert participation["name"] == "张小三"
    assert participation["called"]
    assert participation["phone"] == town.ann.phone  # community staff see phones
    hours = client.post(f"/api/v1/volunteers/participations/{participation['id']}/hours",
                        {"hours": "2.5"}, **JSON)
    assert hours.status_code == 200
    assert hours.json()["hours"] == 2.5
    too_many = client.post(f"/api/v1/volunteers/participations/{participation['id']}/hours",
                           {"hours": "25"}, **JSON)
    assert too_many.status_code == 422
    ledger = client.get(f"/api/v1/volunteers/registrations/{ann.pk}/ledger").json()
    assert [item["points"] for item in ledger["items"]] == [25.0]
    corrected = client.post(f"/api/v1/volunteers/registrations/{ann.pk}/points",
                            {"points": "-5", "reason": "迟到"}, **JSON)
    assert corrected.status_code == 201
    ranked = client.get(f"/api/v1/volunteers/ranking?code={COMMUNITY_1}").json()
    assert ranked == [{"rank": 1, "person_id": town.ann.pk, "name": "张小三", "points": 20.0}]
    rule = client.put(f"/api/v1/volunteers/rules/{COMMUNITY_1}",
                      {"points_per_hour": "8", "kind_bonus": {"elder_care": "3"}}, **JSON)
    assert rule.json() == {"code": COMMUNITY_1, "points_per_hour": 8.0, "urgent_bonus": 0.0,
                           "kind_bonus": {"elder_care": 3.0}, "default": False}
    assert client.put(f"/api/v1/volunteers/rules/{COMMUNITY_2}", {"points_per_hour": "8"},
                      **JSON).status_code == 404


def test_a_street_officer_sees_phones_unmasked_others_masked(town, client):
    bob = registration_report_in(by=town.bob_user, as_party_member=True,
                                 party_organization=town.party)
    client.force_login(town.street_2)  # the party organization's side
    seen = client.get(f"/api/v1/volunteers/registrations/{bob.pk}").json()
    assert seen["community_side"] is False
    assert seen["party_organization"] == town.party.name
    assert seen["phone"] == town.bob.phone  # a street officer's role sees phones
    refused = client.post(f"/api/v1/volunteers/registrations/{bob.pk}/decide",
                          {"confirm": True}, **JSON)
    assert refused.status_code == 404  # only the community decides
    client.force_login(town.staff_2)
    assert client.get(f"/api/v1/volunteers/registrations/{bob.pk}").status_code == 404
    assert "phone" in UNMASKED_FIELDS[Role.STREET_OFFICER]


def test_what_a_volunteer_sees_of_a_task(town, client):
    confirmed(town.ann_user, town.staff_1)
    confirmed(town.bob_user, town.staff_1)
    task = a_task(town.staff_1, contact_phone="13900002222", needed=3)
    task_sign_up(by=town.bob_user, task=task)
    client.force_login(town.ann_user)
    open_tasks = client.get("/api/v1/me/volunteer/tasks").json()
    assert open_tasks == [{
        "id": task.pk, "title": "小区清扫", "place": "民意社区广场",
        "starts_at": at(24).isoformat().replace("+00:00", "Z"),
        "ends_at": at(27).isoformat().replace("+00:00", "Z"), "kind": "general",
        "urgent": False, "description": "", "organizer": town.staff_1.username,
        "organizer_phone": "13900002222", "needed": 3, "taking_part": 1, "state": None,
        "hours": None, "cancelled": False}]
    signed = client.post(f"/api/v1/me/volunteer/tasks/{task.pk}/sign-up", **JSON)
    assert signed.json()["state"] == "signed_up"
    mine = client.get("/api/v1/me/volunteer").json()
    assert mine["registration"]["state"] == "confirmed"
    assert [t["id"] for t in mine["tasks"]] == [task.pk]
    # Nothing of another volunteer, nor of any resident, is in the answers.
    assert "李四" not in str(mine)
    assert town.bob.phone not in str(mine)
    assert "李四" not in str(open_tasks)
    # Staff's pages are closed to a resident.
    assert client.get(f"/api/v1/volunteers/tasks/{task.pk}").status_code == 403


def test_a_residents_ranking_is_masked_and_their_communitys_only(town, client, clock):
    ann = confirmed(town.ann_user, town.staff_1)
    cai = confirmed(town.cai_user, town.staff_2)
    points_correct(by=town.staff_1, registration=ann, points=10, reason="补录")
    points_correct(by=town.staff_2, registration=cai, points=99, reason="补录")
    client.force_login(town.bob_user)
    assert client.get("/api/v1/me/volunteer/ranking").json() == [
        {"rank": 1, "person_id": None, "name": "张*三", "points": 10.0}]


def test_a_resident_reports_in_through_the_api(town, client):
    client.force_login(town.bob_user)
    put = client.put("/api/v1/me/volunteer", {
        "as_party_member": True, "party_organization_id": town.party.pk,
        "skills": ["legal"], "days": [5, 6], "times": "周末"}, **JSON)
    assert put.status_code == 200
    assert put.json()["registration"]["party_organization"] == town.party.name
    wrong = client.put("/api/v1/me/volunteer", {"as_party_member": True,
                                                "party_organization_id": 2**62}, **JSON)
    assert wrong.status_code == 422
    assert client.put("/api/v1/me/volunteer", {"skills": ["flying"]}, **JSON).status_code == 422
    assert client.put("/api/v1/me/volunteer", {"days": [7]}, **JSON).status_code == 422
    assert client.post("/api/v1/me/volunteer/withdraw").json()["registration"]["state"] == (
        "withdrawn")


def test_huge_and_foreign_ids_are_404(town, client):
    cai = confirmed(town.cai_user, town.staff_2)
    other = a_task(town.staff_2, code=COMMUNITY_2)
    client.force_login(town.staff_1)
    for path in ("/volunteers/registrations/{}", "/volunteers/tasks/{}"):
        assert client.get("/api/v1" + path.format(2**63 - 1)).status_code == 404
        assert client.get("/api/v1" + path.format(2**64)).status_code == 422
    assert client.get(f"/api/v1/volunteers/registrations/{cai.pk}").status_code == 404
    assert client.get(f"/api/v1/volunteers/tasks/{other.pk}").status_code == 404
    called = client.post(f"/api/v1/volunteers/tasks/{a_task(town.staff_1).pk}/call",
                         {"registration_ids": [cai.pk]}, **JSON)
    assert called.status_code == 422
    client.force_login(town.ann_user)
    assert client.post(f"/api/v1/me/volunteer/tasks/{other.pk}/sign-up").status_code == 404
    assert client.post(f"/api/v1/me/volunteer/tasks/{2**63 - 1}/sign-up").status_code == 404
    assert client.post(f"/api/v1/me/volunteer/tasks/{other.pk}/fly").status_code == 422
    assert not LedgerEntry.objects.exists()
