"""The bulk writer: records and their history rows in one pass, the array lookup, and the
collector kept out of the way."""

import gc

import pytest
from django.core.exceptions import FieldError
from django.db.models import F

from tests.factories import GRID_A, make_person
from wangge.bulk import AnyOf, assign_keys, insert_with_history
from wangge.collector import rare_collections
from wangge.imports.persons import new_person
from wangge.people.models import Person


def test_any_of_finds_what_in_finds(world):
    people = [make_person(GRID_A, name=f"居民{number}") for number in range(3)]
    wanted = [people[0].name, people[2].name, "nobody"]
    found = Person.objects.filter(AnyOf(F("name"), wanted))
    assert sorted(found.values_list("pk", flat=True)) == [people[0].pk, people[2].pk]
    assert not Person.objects.filter(AnyOf(F("name"), []))


def test_any_of_refuses_an_encrypted_field(world):
    with pytest.raises(FieldError):
        list(Person.objects.filter(AnyOf(F("id_number"), ["110101199003077777"])))


def test_inserted_records_get_one_history_row_each_with_their_own_reason(world):
    records = [new_person({"name": name, "grid_code": GRID_A, "vulnerable_tags": tags})
               for name, tags in [("甲", ["disabled"]), ("乙", [])]]
    records[0]._change_reason = "第 2 行"
    assign_keys(records)
    insert_with_history(Person, records, reason="导入", user_id=None)
    first, second = (Person.objects.get(pk=record.pk) for record in records)
    assert (first.vulnerable_tags, second.vulnerable_tags) == (["disabled"], [])
    assert [(entry.history_type, entry.history_change_reason, entry.name)
            for entry in first.history.all()] == [("+", "第 2 行", "甲")]
    assert second.history.get().history_change_reason == "导入"


def test_overlapping_rare_collections_bring_back_the_usual_thresholds():
    usual = gc.get_threshold()
    first, second = rare_collections(), rare_collections()
    first.__enter__()
    second.__enter__()
    assert gc.get_threshold()[0] == 100_000
    first.__exit__(None, None, None)  # not last in, first out: two threads may end so
    assert gc.get_threshold()[0] == 100_000
    second.__exit__(None, None, None)
    assert gc.get_threshold() == usual
