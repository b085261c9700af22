import datetime

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from tests.factories import (
    COMMUNITY_1,
    GRID_A,
    GRID_B,
    GRID_C,
    SYSTEM,
    centre_of,
    make_dwelling,
    make_person,
    make_user,
    resident_id,
    square,
)
from wangge.access.models import User
from wangge.access.services import token_create, token_user, user_create
from wangge.divisions.models import Grid
from wangge.divisions.services import division_create, grid_create, grid_update
from wangge.foundation.permissions import Role
from wangge.people.models import Person, PersonMove
from wangge.people.selectors import person_history
from wangge.people.services import (
    household_add_member,
    household_create,
    person_create,
    person_transfer,
    person_update,
)
from wangge.places.models import Building
from wangge.places.services import building_create, dwelling_create


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


# --- people ------------------------------------------------------------------------------------

def test_person_create_derives_birth_date_and_sex_from_the_id(world):
    number = resident_id(datetime.date(1956, 3, 9), male=False)
    person = make_person(GRID_A, id_number=number.lower())
    assert person.birth_date == datetime.date(1956, 3, 9)
    assert person.sex == "F"
    assert person.id_number == number


@pytest.mark.parametrize(("fields", "field", "words"), [
    ({"id_number": "420102198005170011"}, "id_number", "check digit"),
    ({"birth_date": datetime.date(1981, 5, 17)}, "birth_date", "contradicts"),
    ({"sex": "F"}, "sex", "contradicts"),
    ({"phone": "12345"}, "phone", "not a phone"),
])
def test_bad_person_input_names_the_field_and_saves_nothing(world, fields, field, words):
    dwelling = make_dwelling(GRID_A)
    fields = {"id_number": resident_id(datetime.date(1980, 5, 17), male=True), **fields}
    with pytest.raises(ValidationError) as error:
        person_create(name="李娜", dwelling=dwelling, by=SYSTEM, **fields)
    assert words in " ".join(errors_of(error)[field])
    assert Person.objects.count() == 0


def test_one_record_per_person(world):
    person = make_person(GRID_A)
    with pytest.raises(ValidationError) as error:
        make_person(GRID_B, id_number=person.id_number)
    assert "id_number" in errors_of(error)
    assert Person.objects.count() == 1


def test_update_needs_a_reason_and_records_who_and_why(world):
    worker = make_user(Role.GRID_WORKER, GRID_A)
    person = make_person(GRID_A)
    with pytest.raises(ValidationError) as error:
        person_update(person=person, by=worker, reason=" ", phone="13912345678")
    assert "reason" in errors_of(error)
    person_update(person=person, by=worker, reason="居民告知换号", phone="139 1234 5678")
    latest = person_history(worker, Person.objects.get(pk=person.pk))[0]
    assert latest["who"] == worker.username
    assert latest["reason"] == "居民告知换号"
    assert {"field": "phone", "new": "13912345678"}.items() <= latest["changes"][0].items()


def test_history_masks_sensitive_values_for_roles_that_do_not_see_them(world):
    worker = make_user(Role.GRID_WORKER, GRID_A)
    volunteer = make_user(Role.VOLUNTEER, GRID_A)
    person = make_person(GRID_A, phone="13800001111")
    person_update(person=person, by=worker, reason="更正", phone="13900002222")
    change = person_history(volunteer, person)[0]["changes"][0]
    assert (change["old"], change["new"]) == ("138****1111", "139****2222")


def test_writes_are_refused_outside_scope_and_for_roles_without_the_right(world):
    worker = make_user(Role.GRID_WORKER, GRID_A)
    volunteer = make_user(Role.VOLUNTEER, GRID_A)
    with pytest.raises(ValidationError) as error:
        person_create(name="王芳", dwelling=make_dwelling(GRID_B), by=worker,
                      id_number=resident_id())
    assert "outside your jurisdiction" in str(error.value)
    person = make_person(GRID_A)
    with pytest.raises(PermissionDenied):
        person_update(person=person, by=volunteer, reason="x", occupation="教师")


def test_a_move_is_a_transfer_of_the_same_record(world):
    officer = make_user(Role.COMMUNITY_STAFF, COMMUNITY_1)
    person = make_person(GRID_A)
    new_home = make_dwelling(GRID_B, room="302")
    move = person_transfer(person=person, dwelling=new_home, moved_on=datetime.date(2026, 1, 2),
                           by=officer, reason="购房搬迁")
    person.refresh_from_db()
    assert (person.grid_code, person.dwelling) == (GRID_B, new_home)
    assert (move.from_grid_code, move.to_grid_code) == (GRID_A, GRID_B)
    assert Person.objects.count() == 1
    assert PersonMove.objects.get().reason == "购房搬迁"


def test_household_has_one_head(world):
    head = make_person(GRID_A)
    spouse = make_person(GRID_A, name="李娜", dwelling=head.dwelling)
    household = household_create(head=head, by=SYSTEM)
    household_add_member(household=household, person=spouse, relationship="spouse", by=SYSTEM)
    assert set(household.members.values_list("relationship", flat=True)) == {"head", "spouse"}
    with pytest.raises(ValidationError):
        household_add_member(household=household, person=spouse, relationship="head", by=SYSTEM)


# --- divisions and places ----------------------------------------------------------------------

def test_overlapping_grid_is_refused_naming_the_grid(world):
    with pytest.raises(ValidationError) as error:
        grid_create(code="420102001001003", name="重叠网格", boundary=square(114.305, 30.60),
                    by=SYSTEM)
    assert "民意一网格" in errors_of(error)["boundary"][0]
    assert GRID_A in errors_of(error)["boundary"][0]
    assert not Grid.objects.filter(code="420102001001003").exists()


def test_neighbouring_grids_may_share_an_edge(world):
    grid = grid_create(code="420102001001003", name="民意三网格", boundary=square(114.33, 30.60),
                       by=SYSTEM)
    assert grid.min_lon == pytest.approx(114.33)


@pytest.mark.parametrize(("boundary", "words"), [
    ({"type": "Point", "coordinates": [114.3, 30.6]}, "Polygon"),
    ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}, "invalid"),
    ("nonsense", "GeoJSON"),
])
def test_invalid_boundaries_are_refused(world, boundary, words):
    with pytest.raises(ValidationError) as error:
        grid_create(code="420102001001003", name="坏网格", boundary=boundary, by=SYSTEM)
    assert words in errors_of(error)["boundary"][0]


def test_grid_update_rechecks_overlap(world):
    grid = Grid.objects.get(code=GRID_B)
    with pytest.raises(ValidationError):
        grid_update(grid=grid, boundary=square(114.295, 30.60), by=SYSTEM)


def test_division_needs_its_parent(world):
    with pytest.raises(ValidationError) as error:
        division_create(code="420102009001", name="孤儿社区", by=SYSTEM)
    assert "420102009000" in errors_of(error)["code"][0]


def test_buildings_are_placed_by_point_or_kept_unplaced(world):
    placed = building_create(name="1栋", address="a", longitude=centre_of(GRID_C)[0],
                             latitude=centre_of(GRID_C)[1], by=SYSTEM)
    assert placed.grid_code == GRID_C
    with pytest.raises(ValidationError) as error:
        building_create(name="2栋", address="b", longitude=120.0, latitude=30.0, by=SYSTEM)
    assert "division_code" in str(error.value)
    unplaced = building_create(name="2栋", address="b", longitude=120.0, latitude=30.0,
                               division_code=COMMUNITY_1, by=SYSTEM)
    assert not unplaced.is_placed
    assert list(Building.objects.unplaced()) == [unplaced]
    assert unplaced in Building.objects.in_scope(["420102001"])


def test_dwelling_must_fit_its_building(world):
    building = building_create(name="1栋", address="a", longitude=centre_of(GRID_A)[0],
                               latitude=centre_of(GRID_A)[1], units=2, floors=6, by=SYSTEM)
    with pytest.raises(ValidationError) as error:
        dwelling_create(building=building, unit=3, floor=9, room="901", by=SYSTEM)
    assert set(errors_of(error)) == {"unit", "floor"}


# --- access ------------------------------------------------------------------------------------

def test_users_get_random_passwords_and_tokens_see_their_user(world):
    user, password = user_create(username="gw", role=Role.GRID_WORKER, jurisdictions=[GRID_A])
    other, other_password = user_create(username="gw2", role=Role.GRID_WORKER,
                                        jurisdictions=[GRID_A, GRID_B])
    assert password != other_password
    assert len(password) >= 12
    assert authenticate(RequestFactory().post("/login/"), username="gw",
                        password=password) == user
    validate_password(password, User(username="gw"))  # the policy holds for generated ones
    assert other.scope_prefixes == [GRID_A, GRID_B]
    token = token_create(user=user)
    assert token_user(token, record_use=False) == user
    assert token_user(token + "x", record_use=False) is None


def test_jurisdiction_must_exist(world):
    with pytest.raises(ValidationError):
        user_create(username="x", role=Role.GRID_WORKER, jurisdictions=["420102001001099"])
