"""The birth date repeats digits 7–14 of a resident ID: where the ID is masked, only the birth
year is shown (records, history, pages, the admin)."""

import datetime

import pytest

from tests.factories import GRID_A, STREET_1, SYSTEM, make_person, make_user, resident_id
from wangge.access.models import User
from wangge.foundation.permissions import UNMASKED_FIELDS, Role, SensitiveField, shown
from wangge.people.services import person_update

BORN = datetime.date(1956, 3, 4)


@pytest.mark.parametrize("role", Role.values)
def test_no_role_sees_the_birth_date_while_the_id_is_masked(role):
    unmasked = UNMASKED_FIELDS[role]
    assert SensitiveField.BIRTH_DATE not in unmasked or SensitiveField.ID_NUMBER in unmasked


@pytest.mark.parametrize(("role", "value", "seen"), [
    (Role.VOLUNTEER, BORN, "1956"),
    (Role.DEPARTMENT_STAFF, "1956-03-04", "1956"),  # history diffs may hold ISO strings
    (Role.GRID_WORKER, BORN, BORN),
    (Role.VOLUNTEER, None, None),
])
def test_a_masked_birth_date_is_its_year(role, value, seen):
    assert shown(User(role=role), SensitiveField.BIRTH_DATE, value) == seen


@pytest.fixture
def corrected(world):
    """A resident whose ID (and so birth date) was corrected from 1980-05-17 to 1956-03-04."""
    person = make_person(GRID_A, name="甲居民")
    person_update(person=person, by=SYSTEM, reason="更正身份证号", id_number=resident_id(BORN))
    return person


def test_the_person_page_and_its_history_show_only_years_to_an_auditor(client, corrected):
    client.force_login(make_user(Role.AUDITOR, STREET_1))
    page = client.get(f"/people/{corrected.pk}/").content.decode()
    assert "1956-03-04" not in page
    assert "1980-05-17" not in page
    assert "<del>1980</del> → <ins>1956</ins>" in page
    assert '<dd id="birth-date">1956</dd>' in page


def test_a_grid_worker_sees_the_full_birth_date_once_a_purpose_is_given(client, corrected):
    client.force_login(make_user(Role.GRID_WORKER, GRID_A))
    page = client.get(f"/people/{corrected.pk}/").content.decode()
    assert '<dd id="birth-date">1956</dd>' in page
    assert "<del>1980</del> → <ins>1956</ins>" in page
    page = client.post(f"/people/{corrected.pk}/reveal/",
                       {"purpose": "identity"}).content.decode()
    assert '<dd id="birth-date">1956-03-04</dd>' in page
    assert "<del>1980-05-17</del> → <ins>1956-03-04</ins>" in page


def test_the_admin_shows_a_street_officer_the_birth_year(client, corrected):
    client.force_login(make_user(Role.STREET_OFFICER, STREET_1))
    page = client.get(f"/admin/people/person/{corrected.pk}/change/").content.decode()
    assert page.count(">1956<") == 1
    assert "1956-03-04" not in page
    assert "1956年3月4日" not in page
