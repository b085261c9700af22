"""A household's page: its members, head first, scoped and masked like persons; households
named by their head wherever people read them."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from tests.factories import GRID_A, GRID_C, SYSTEM, make_dwelling, make_person, make_user
from wangge.auditlog.models import Entry, Kind
from wangge.foundation.permissions import Role
from wangge.people.services import household_add_member, household_create


@pytest.fixture
def household(world):
    dwelling = make_dwelling(GRID_A, room="501")
    head = make_person(GRID_A, name="王建国", dwelling=dwelling, id_number="42010219800108123X",
                       phone="13812345678")
    household = household_create(head=head, number="HH-0042", by=SYSTEM)
    child = make_person(GRID_A, name="王小明", dwelling=dwelling)
    household_add_member(household=household, person=child, relationship="child", by=SYSTEM)
    return household


def _name(head: str) -> str:
    with translation.override("zh-hans"):
        return gettext("Household of %(head)s") % {"head": head}


def test_the_members_head_first_and_masked_for_a_volunteer(client, household):
    client.force_login(make_user(Role.VOLUNTEER, GRID_A))
    response = client.get(reverse("web:household", args=[household.pk]))
    assert response.status_code == 200
    assert [person.name for person in response.context["members"]] == ["王建国", "王小明"]
    page = response.content.decode()
    assert _name("王建国") in page
    assert "HH-0042" in page  # the household number, shown as what it is
    assert "4201**********123X" in page
    assert "138****5678" in page
    assert "13812345678" not in page


def test_a_grid_worker_reads_the_phones_and_the_read_is_logged(client, household):
    client.force_login(make_user(Role.GRID_WORKER, GRID_A))
    page = client.get(reverse("web:household", args=[household.pk])).content.decode()
    assert "13812345678" in page
    [entry] = Entry.objects.filter(kind=Kind.LIST)
    assert entry.count == 2


def test_a_household_outside_the_jurisdiction_is_404(client, household):
    client.force_login(make_user(Role.GRID_WORKER, GRID_C))
    assert client.get(reverse("web:household", args=[household.pk])).status_code == 404


def test_a_role_that_sees_no_people_is_refused(client, household):
    client.force_login(make_user(Role.RESIDENT, GRID_A))
    assert client.get(reverse("web:household", args=[household.pk])).status_code == 403


def test_a_person_and_a_dwelling_link_to_the_household_by_its_name(client, household):
    client.force_login(make_user(Role.GRID_WORKER, GRID_A))
    link = f'href="{reverse("web:household", args=[household.pk])}">{_name("王建国")}</a>'
    person = client.get(reverse("web:person", args=[household.head.pk])).content.decode()
    assert link in person
    dwelling = client.get(reverse("web:dwelling", args=[household.dwelling.pk]))
    assert link in dwelling.content.decode()
