"""The volunteers' pages: role by role, in and out of scope (404), a resident's page (report
in, sign up, answer a call, points, the masked ranking), the staff's confirmation, tasks,
calls, hours, rules and ranking, and what each side sees masked."""

import pytest
from django.utils import timezone

from tests.factories import COMMUNITY_1, STREET_1, STREET_2, SYSTEM, make_user
from wangge.foundation.permissions import ROLE_ACTIONS, Action, Role, mask_phone
from wangge.organizations.services import organization_create
from wangge.volunteers.models import LedgerEntry, Participation, Registration
from wangge.volunteers.selectors import PARTY_CHOICES
from wangge.volunteers.services import (
    points_correct,
    registration_report_in,
    task_call,
    task_sign_up,
)

from .conftest import a_task, at, confirmed


def moment(hours: float) -> str:
    """A time as a datetime-local field sends it: local, without its zone."""
    return at(hours).astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%dT%H:%M")


STAFF_PAGES = ["/volunteers/", "/volunteers/register/", "/volunteers/tasks/",
               "/volunteers/tasks/new/", "/volunteers/rules/",
               f"/volunteers/ranking/?code={COMMUNITY_1}"]


@pytest.mark.parametrize("role", Role.values)
def test_role_by_role(role, town, client):
    registration = registration_report_in(by=town.ann_user)
    task = a_task(town.staff_1)
    manages = Action.MANAGE_VOLUNTEERS in ROLE_ACTIONS[role]
    for street, in_scope in ((STREET_1, True), (STREET_2, False)):
        client.force_login(make_user(role, street))
        for page in STAFF_PAGES:
            assert client.get(page).status_code == (200 if manages else 403), page
        found = (200 if in_scope else 404) if manages else 403
        for page in (f"/volunteers/{registration.pk}/", f"/volunteers/tasks/{task.pk}/"):
            assert client.get(page).status_code == found, page
        assert client.get("/me/volunteer/").status_code == (
            200 if Action.VIEW_OWN_RECORD in ROLE_ACTIONS[role] else 403)


def test_a_resident_reports_in_and_takes_part(town, client):
    client.force_login(town.ann_user)
    page = client.get("/me/volunteer/")
    assert page.status_code == 200
    assert "Report in" in page.content.decode()
    posted = client.post("/me/volunteer/", {"as_volunteer": "on", "skills": ["medical"],
                                            "days": ["5"], "times": "周末"})
    assert posted.status_code == 302
    registration = Registration.objects.get(person=town.ann)
    assert registration.skills == ["medical"]
    assert registration.days == [5]
    refused = client.post("/me/volunteer/", {"as_party_member": "on"})
    assert refused.status_code == 400  # a party member names their organization
    client.force_login(town.staff_1)
    assert client.post(f"/volunteers/{registration.pk}/decide/", {"confirm": "1"}
                       ).status_code == 302
    task = a_task(town.staff_1, contact_phone="13900003333")
    client.force_login(town.ann_user)
    page = client.get("/me/volunteer/").content.decode()
    assert "小区清扫" in page
    assert "Sign up" in page
    client.post(f"/me/volunteer/tasks/{task.pk}/sign-up/")
    assert Participation.objects.get().state == "signed_up"
    page = client.get("/me/volunteer/").content.decode()
    assert "13900003333" in page  # the organizer's phone, for the task
    client.post(f"/me/volunteer/tasks/{task.pk}/withdraw/")
    assert Participation.objects.get().state == "withdrawn"
    assert client.post(f"/me/volunteer/tasks/{task.pk}/fly/").status_code == 404


def test_a_volunteer_never_sees_another_persons_record(town, client):
    confirmed(town.ann_user, town.staff_1)
    bob = confirmed(town.bob_user, town.staff_1)
    task = a_task(town.staff_1)
    task_sign_up(by=town.bob_user, task=task)
    points_correct(by=town.staff_1, registration=bob, points=7, reason="补录")
    client.force_login(town.ann_user)
    page = client.get("/me/volunteer/").content.decode()
    assert "李*" in page  # the ranking, masked
    assert "李四" not in page
    assert town.bob.phone not in page
    # Staff pages and another task's people are closed to a resident.
    assert client.get(f"/volunteers/tasks/{task.pk}/").status_code == 403
    assert client.get(f"/volunteers/{bob.pk}/").status_code == 403


def test_a_call_answered_on_the_residents_page(town, client):
    ann = confirmed(town.ann_user, town.staff_1)
    task = a_task(town.staff_1)
    client.force_login(town.staff_1)
    client.post(f"/volunteers/tasks/{task.pk}/call/", {"registrations": [ann.pk]})
    assert Participation.objects.get().state == "called"
    client.force_login(town.ann_user)
    # The call waits on the resident's page, with its buttons.
    page = client.get("/me/volunteer/").content.decode()
    assert f"/me/volunteer/tasks/{task.pk}/accept/" in page
    inbox = client.get("/inbox/").content.decode()
    assert "小区清扫" in inbox
    client.post(f"/me/volunteer/tasks/{task.pk}/decline/")
    assert Participation.objects.get().state == "declined"


def test_staff_confirm_hours_on_the_task_page(town, client, clock):
    ann = confirmed(town.ann_user, town.staff_1)
    task = a_task(town.staff_1, hours=2)
    task_call(by=town.staff_1, task=task, registrations=[ann])
    client.force_login(town.ann_user)
    client.post(f"/me/volunteer/tasks/{task.pk}/accept/")
    clock.move_to(at(26))
    client.force_login(town.staff_1)
    page = client.get(f"/volunteers/tasks/{task.pk}/").content.decode()
    assert "Confirm hours" in page
    assert town.ann.phone in page
    participation = Participation.objects.get()
    client.post(f"/volunteers/participations/{participation.pk}/hours/", {"hours": "2"})
    assert LedgerEntry.objects.get().points == 20
    page = client.get(f"/volunteers/{ann.pk}/").content.decode()
    assert "20.0" in page
    ranking = client.get(f"/volunteers/ranking/?code={COMMUNITY_1}").content.decode()
    assert "张小三" in ranking
    client.force_login(town.staff_2)
    assert client.post(f"/volunteers/participations/{participation.pk}/hours/",
                       {"hours": "1"}).status_code == 404


def test_a_party_organization_is_found_by_name_among_many(town, client):
    for number in range(30):
        organization_create(name=f"第{number:02d}社区党支部", kind="party",
                            grid_code=STREET_1, by=SYSTEM)
    client.force_login(town.ann_user)
    page = client.get("/me/volunteer/").content.decode()
    assert "第00社区党支部" not in page  # no list of every party organization of the city
    # What the search field fetches as one types: at most PARTY_CHOICES names that match.
    found = client.get("/me/volunteer/", {"party_search": "社区党支部"}).content.decode()
    assert found.count("社区党支部</option>") == PARTY_CHOICES
    assert "第00社区党支部" in found
    assert "机关党支部</option>" not in found
    # As one types (htmx), the choice alone comes back, not the whole page.
    typed = client.get("/me/volunteer/", {"party_search": "社区党支部"},
                       headers={"HX-Request": "true"}).content.decode()
    assert typed.startswith('<select name="party_organization"')
    assert typed.count("社区党支部</option>") == PARTY_CHOICES
    assert "<html" not in typed
    for garbage in ("\x00", "党\x00", "%" * 500):
        assert client.get("/me/volunteer/", {"party_search": garbage}).status_code == 200
    # Without a script: the form sent with words and no choice lists the matches again.
    refused = client.post("/me/volunteer/", {"as_party_member": "on",
                                             "party_search": "机关"})
    assert refused.status_code == 400
    assert f'<option value="{town.party.pk}">一元街道机关党支部</option>' in (
        refused.content.decode())
    client.post("/me/volunteer/", {"as_party_member": "on", "party_search": "机关",
                                   "party_organization": town.party.pk})
    assert Registration.objects.get(person=town.ann).party_organization == town.party
    # The one chosen stays in the list when the page is opened again; a huge number is no
    # choice, and no error.
    assert "一元街道机关党支部</option>" in client.get("/me/volunteer/").content.decode()
    huge = client.post("/me/volunteer/", {"as_party_member": "on",
                                          "party_organization": "9" * 30})
    assert huge.status_code == 400


def test_the_party_organizations_side_sees_but_does_not_decide(town, client):
    bob = registration_report_in(by=town.bob_user, as_party_member=True,
                                 party_organization=town.party)
    client.force_login(town.street_2)
    listed = client.get("/volunteers/?party=yes").content.decode()
    assert "李四" in listed
    page = client.get(f"/volunteers/{bob.pk}/").content.decode()
    assert town.party.name in page
    assert "Confirm" not in page
    assert client.post(f"/volunteers/{bob.pk}/decide/", {"confirm": "1"}).status_code == 404
    client.force_login(town.staff_2)
    assert "李四" not in client.get("/volunteers/").content.decode()


def test_a_grid_workers_phone_view_is_masked_where_the_role_masks(town, client):
    registration_report_in(by=town.ann_user)
    auditor = make_user(Role.AUDITOR, STREET_1)
    client.force_login(auditor)
    assert client.get("/volunteers/").status_code == 403
    client.force_login(town.staff_1)
    assert town.ann.phone in client.get("/volunteers/").content.decode()
    assert mask_phone(town.ann.phone) != town.ann.phone


def test_staff_post_a_task_register_a_person_and_set_a_rule(town, client):
    client.force_login(town.staff_1)
    posted = client.post("/volunteers/tasks/new/", {
        "code": COMMUNITY_1, "title": "防汛值守", "place": "江滩", "kind": "emergency",
        "urgent": "on", "needed": "3", "starts_at": moment(5),
        "ends_at": moment(8)})
    assert posted.status_code == 302
    late = client.post("/volunteers/tasks/new/", {
        "code": COMMUNITY_1, "title": "防汛值守", "place": "江滩", "kind": "emergency",
        "needed": "3", "starts_at": moment(-5),
        "ends_at": moment(8)})
    assert late.status_code == 400
    registered = client.post("/volunteers/register/", {"person": town.bob.pk,
                                                       "as_volunteer": "on"})
    assert registered.status_code == 302
    assert Registration.objects.get(person=town.bob).state == "confirmed"
    outsider = client.post("/volunteers/register/", {"person": town.cai.pk,
                                                     "as_volunteer": "on"})
    assert outsider.status_code == 400
    rule = client.post("/volunteers/rules/", {"code": COMMUNITY_1, "points_per_hour": "15",
                                              "urgent_bonus": "5", "bonus_emergency": "10"})
    assert rule.status_code == 302
    assert "15.0" in client.get("/volunteers/rules/").content.decode()
