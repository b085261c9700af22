"""ID numbers and phones at rest: encrypted in the person table and its history, found through
their blind indexes, re-encrypted by `wangge rotate-data-key`, and a missing key answered
with 503 (crypto.py)."""

import base64
import datetime

import pytest
from django.conf import settings
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from tests.factories import GRID_A, SYSTEM, make_person, make_user, resident_id
from wangge.crypto import data_keys_from_environment, encrypt, keyring, reseal
from wangge.foundation.permissions import Role
from wangge.imports.services import import_file
from wangge.people.models import Person
from wangge.people.selectors import persons_search
from wangge.people.services import person_update

NEW_KEY = base64.b64encode(bytes(range(32))).decode()


def raw_rows(table: str) -> list[tuple]:
    """The stored ID numbers and phones (the person table's with their digests)."""
    digests = ", id_number_index, phone_index" if table == "people_person" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id_number, phone{digests} FROM {table}")
        return cursor.fetchall()


def stored_text() -> str:
    return repr(raw_rows("people_person") + raw_rows("people_historicalperson"))


def test_numbers_are_encrypted_in_the_person_table_and_its_history(world):
    person = make_person(GRID_A, phone="13800001111")
    person_update(person=person, phone="13900002222", by=SYSTEM, reason="新号码")
    text = stored_text()
    for plain in (person.id_number, "13800001111", "13900002222"):
        assert plain not in text
    assert all(row[0].startswith(f"{keyring().current}:") for row in raw_rows("people_person"))
    person = Person.objects.get(pk=person.pk)
    assert (person.phone, person.history.count()) == ("13900002222", 2)
    assert person.history.last().phone == "13800001111"
    assert all(len(row) == 2 and row[1].startswith(f"{keyring().current}:")
               for row in raw_rows("people_historicalperson"))


def test_exact_search_goes_through_the_blind_index(world):
    wang = make_person(GRID_A, name="王芳", id_number=resident_id(male=False),
                       phone="13800003333")
    make_person(GRID_A, name="李强", id_number=resident_id(datetime.date(1990, 1, 2)))
    assert list(Person.objects.matching(id_number=wang.id_number)) == [wang]
    assert list(Person.objects.matching(phone=["13800003333", "10000"])) == [wang]
    officer = make_user(Role.COMMUNITY_STAFF, GRID_A[:12])
    assert list(persons_search(officer, wang.id_number.lower())) == [wang]
    assert list(persons_search(officer, "138 0000 3333")) == [wang]


@pytest.mark.parametrize("lookup", [{"id_number": "x"}, {"phone__startswith": "138"},
                                    {"id_number__in": ["x"]}, {"phone__isnull": True}])
def test_other_lookups_on_an_encrypted_field_are_refused(world, lookup):
    with pytest.raises(FieldError, match="matching"):
        list(Person.objects.filter(**lookup))


def test_an_import_lands_on_the_one_record_per_person(world, tmp_path):
    number = resident_id()
    path = tmp_path / "persons.csv"
    path.write_text(f"姓名,身份证号,手机号,网格编码\n张伟,{number},13800004444,{GRID_A}\n",
                    encoding="utf-8")
    first = import_file(kind="persons", path=path, by=SYSTEM, department="test")
    path.write_text(f"姓名,身份证号,手机号,网格编码\n张伟,{number},13900005555,{GRID_A}\n",
                    encoding="utf-8")
    second = import_file(kind="persons", path=path, by=SYSTEM, department="test")
    assert (first.created, second.created, second.updated) == (1, 0, 1)
    person = Person.objects.matching(id_number=number).get()
    assert person.phone == "13900005555"
    assert list(Person.objects.matching(phone="13900005555")) == [person]
    assert number not in stored_text()
    assert "13900005555" not in stored_text()


def test_rotation_reencrypts_every_row_under_the_new_key(world):
    person = make_person(GRID_A)
    keys = f"new:{NEW_KEY}"
    with override_settings(WANGGE_DATA_KEYS=f"{keys},{settings.WANGGE_DATA_KEYS}"):
        assert Person.objects.get(pk=person.pk).id_number == person.id_number  # old key reads
        call_command("rotate-data-key", "--batch-size", "1")
        rows = raw_rows("people_person") + raw_rows("people_historicalperson")
        assert all(row[0].startswith("new:") and row[1].startswith("new:") for row in rows)
        with override_settings(WANGGE_DATA_KEYS=keys):  # the old key can now go
            assert Person.objects.matching(id_number=person.id_number).get().phone == (
                person.phone)


def test_rotation_is_resumable(world):
    make_person(GRID_A)
    with override_settings(WANGGE_DATA_KEYS=f"new:{NEW_KEY},{settings.WANGGE_DATA_KEYS}"):
        call_command("rotate-data-key")
        assert reseal(connection, "people_person", "id",
                      [("id_number", "id_number_index"), ("phone", "phone_index")],
                      batch_size=10) == 0


def test_the_migration_step_encrypts_plain_rows(world):
    person = make_person(GRID_A)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE people_person SET id_number = %s, id_number_index = ''",
                       [person.id_number])
    assert reseal(connection, "people_person", "id", [("id_number", "id_number_index")],
                  batch_size=10, plaintext=True) == 1
    assert person.id_number not in stored_text()
    assert Person.objects.matching(id_number=person.id_number).get() == person


def test_a_value_under_an_unknown_key_answers_503(world, page_as):
    person = make_person(GRID_A)
    client = page_as(make_user(Role.COMMUNITY_STAFF, GRID_A[:12]))
    with override_settings(WANGGE_DATA_KEYS=f"other:{NEW_KEY}"):
        response = client.get(f"/people/{person.pk}/")
    assert response.status_code == 503
    assert b"Data temporarily unavailable" in response.content
    assert person.id_number.encode() not in response.content
    assert client.get(f"/people/{person.pk}/").status_code == 200


def test_check_deploy_requires_the_keys_from_the_environment():
    with override_settings(WANGGE_DATA_KEYS_FROM_ENVIRONMENT=False):
        assert [error.id for error in data_keys_from_environment()] == ["wangge.E001"]
    with override_settings(WANGGE_DATA_KEYS_FROM_ENVIRONMENT=True):
        assert data_keys_from_environment() == []


def test_encrypting_the_same_number_twice_differs():
    assert encrypt("13800001111") != encrypt("13800001111")
