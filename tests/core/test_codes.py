import pytest
from django.core.exceptions import ValidationError

from tests.factories import GRID_A, GRID_B, GRID_C, STREET_1
from wangge.foundation.codes import Level, level_of, parent_code, prefix_range, scope_prefix
from wangge.people.models import Person


@pytest.mark.parametrize(("code", "level", "prefix", "parent"), [
    ("420000000000", Level.PROVINCE, "42", None),
    ("420100000000", Level.CITY, "4201", "420000000000"),
    ("420102000000", Level.DISTRICT, "420102", "420100000000"),
    ("420102001000", Level.STREET, "420102001", "420102000000"),
    ("420102001001", Level.COMMUNITY, "420102001001", "420102001000"),
    ("420102001001002", Level.GRID, "420102001001002", "420102001001"),
])
def test_the_code_is_the_path(code, level, prefix, parent):
    assert level_of(code) == level
    assert scope_prefix(code) == prefix
    assert parent_code(code) == parent


@pytest.mark.parametrize("code", ["4201", "42010200100a", "4201020010010011"])
def test_malformed_codes_are_refused(code):
    with pytest.raises(ValidationError):
        level_of(code)


def test_prefix_range_selects_exactly_the_prefix(world):
    for grid in (GRID_A, GRID_B, GRID_C):
        world.make_person(grid)
    in_street = Person.objects.filter(prefix_range("grid_code", scope_prefix(STREET_1)))
    assert sorted(in_street.values_list("grid_code", flat=True)) == [GRID_A, GRID_B]
    assert list(Person.objects.in_scope([GRID_B]).values_list("grid_code", flat=True)) == [GRID_B]
    assert Person.objects.in_scope([]).count() == 0


def test_prefix_range_compiles_to_a_range_not_like(world):
    sql = str(Person.objects.in_scope(["420102001"]).query)
    assert "LIKE" not in sql.upper()
    assert ">=" in sql
    assert "<" in sql
