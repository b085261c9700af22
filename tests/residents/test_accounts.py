"""A grid worker's one-time sign-in link; a resident's own record (in full, logged), their
household's names and nothing else of anyone; a correction request reaching the grid worker;
roles refused (403) and records out of scope (404)."""

import datetime
import re

from django.test import Client
from django.utils import timezone

from tests.factories import GRID_A, GRID_C, STREET_1, SYSTEM, make_person, make_user
from wangge.auditlog.models import Entry, Kind
from wangge.foundation.permissions import Role
from wangge.notifications.models import ANSWER, CORRECTION, Notification
from wangge.people.services import household_add_member, household_create, person_update
from wangge.residents.models import CorrectionRequest, CorrectionState, SignInLink
from wangge.residents.services import resident_account_for


def _link(page_as, worker, person) -> str:
    answer = page_as(worker).post(f"/residents/persons/{person.pk}/link/")
    assert answer.status_code == 200
    return re.search(r'value="https?://[^/]+(/me/link/[^"]+)"', answer.content.decode())[1]


def test_a_grid_workers_link_signs_the_person_in_once(resident, page_as):
    worker = make_user(Role.GRID_WORKER, GRID_A)
    path = _link(page_as, worker, resident)
    phone = Client(headers={"Accept-Language": "en"})
    assert phone.get(path).status_code == 200  # opening it (a previewer) spends nothing
    answer = phone.post(path)
    assert answer.status_code == 302
    assert answer["Location"] == "/me/"
    assert phone.get("/me/").context["person"] == resident
    again = Client(headers={"Accept-Language": "en"}).post(path)
    assert again.status_code == 400
    assert "already used" in again.content.decode()
    assert SignInLink.objects.get().digest not in path  # only the digest is kept


def test_a_link_expires_and_a_new_one_replaces_it(resident, page_as):
    worker = make_user(Role.GRID_WORKER, GRID_A)
    first = _link(page_as, worker, resident)
    second = _link(page_as, worker, resident)
    assert Client().post(first).status_code == 400
    SignInLink.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert Client().post(second).status_code == 400


def test_links_are_made_only_in_scope_and_by_those_who_edit_people(resident, page_as):
    outside = make_person(GRID_C, name="外人")
    worker = make_user(Role.GRID_WORKER, GRID_A)
    assert page_as(worker).post(f"/residents/persons/{outside.pk}/link/").status_code == 404
    for role in (Role.VOLUNTEER, Role.RESIDENT, Role.STREET_OFFICER):
        user = make_user(role, STREET_1)
        assert page_as(user).post(f"/residents/persons/{resident.pk}/link/").status_code == 403


def test_a_resident_sees_their_own_record_in_full_and_only_names_of_their_household(
        world, page_as):
    me = make_person(GRID_A, name="王芳", phone="13912345678", health_status="chronic")
    spouse = make_person(GRID_A, name="李强", phone="13600001111", occupation="司机")
    household = household_create(head=me, by=SYSTEM)
    household_add_member(household=household, person=spouse, relationship="spouse", by=SYSTEM)
    person_update(person=me, by=SYSTEM, reason="更正电话", phone="13912340000")
    make_person(GRID_A, name="邻居", phone="13500002222")
    user = resident_account_for(person=me)
    page = page_as(user).get("/me/")
    text = page.content.decode()
    assert page.status_code == 200
    assert me.id_number in text
    assert "13912340000" in text
    assert "13912345678" in text
    assert "更正电话" in text
    assert "李强" in text  # a household member's name...
    assert "13600001111" not in text
    assert "司机" not in text
    assert spouse.id_number not in text
    assert "邻居" not in text
    logged = Entry.objects.get(kind=Kind.VIEW, user_id=user.pk)
    assert logged.record_ids == [me.pk]
    assert "id_number" in logged.fields


def test_staff_and_unlinked_residents_have_no_own_record(world, page_as):
    assert page_as(make_user(Role.GRID_WORKER, GRID_A)).get("/me/").status_code == 403
    unlinked = page_as(make_user(Role.RESIDENT, GRID_A)).get("/me/")
    assert unlinked.status_code == 200
    assert "not linked" in unlinked.content.decode()


def test_a_correction_request_reaches_the_grid_worker_as_a_task(resident, page_as):
    worker = make_user(Role.GRID_WORKER, GRID_A)
    other_worker = make_user(Role.GRID_WORKER, GRID_C)
    user = resident_account_for(person=resident)
    answer = page_as(user).post("/me/correction/", {"parts": ["phone"],
                                                    "text": "电话应为13911112222"})
    assert answer.status_code == 302
    request = CorrectionRequest.objects.get()
    assert request.grid_code == GRID_A
    assert request.state == CorrectionState.OPEN
    # Told in the inbox, and on the to-do home.
    assert Notification.objects.filter(recipient=worker, kind=CORRECTION).exists()
    assert not Notification.objects.filter(recipient=other_worker).exists()
    home = page_as(worker).get("/").content.decode()
    assert f"/residents/corrections/{request.pk}/" in home
    # Out of scope it is not found; a role that does not edit people may not open it.
    assert page_as(other_worker).get(f"/residents/corrections/{request.pk}/").status_code == 404
    volunteer = make_user(Role.VOLUNTEER, GRID_A)
    assert page_as(volunteer).get(f"/residents/corrections/{request.pk}/").status_code == 403
    # Answered: the resident sees it.
    done = page_as(worker).post(f"/residents/corrections/{request.pk}/",
                                {"corrected": "1", "answer": "已更正"})
    assert done.status_code == 302
    request.refresh_from_db()
    assert request.state == CorrectionState.DONE
    assert request.answered_by == worker
    assert "已更正" in page_as(user).get("/me/").content.decode()
    told = Notification.objects.get(recipient=user)
    assert (told.kind, told.link) == (ANSWER, "/me/#corrections")


def test_corrections_waiting_are_bounded(resident, page_as):
    client = page_as(resident_account_for(person=resident))
    for number in range(6):
        client.post("/me/correction/", {"text": f"第{number}处"})
    assert CorrectionRequest.objects.count() == 5
