"""Circumstances of people: each shipped population's rules, links to persons, tags kept in
step, history, scope and masking."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import GRID_A, GRID_C, STREET_1, SYSTEM, make_person, make_user
from wangge.people.models import Person
from wangge.populations.models import Circumstance, Population
from wangge.populations.selectors import circumstances_visible_to, person_circumstances
from wangge.populations.services import circumstance_end, circumstance_save

pytestmark = pytest.mark.django_db


@pytest.fixture
def grid_worker(world):
    return make_user("grid_worker", GRID_A)


def save(person, key, values, by=SYSTEM, **options):
    return circumstance_save(person=person, population=Population.objects.get(key=key),
                             values=values, by=by, reason="走访核实", **options)


def errors_of(person, key, values, by=SYSTEM):
    with pytest.raises(ValidationError) as refused:
        save(person, key, values, by=by)
    return refused.value.message_dict


def test_the_shipped_populations_are_installed(world):
    assert set(Population.objects.values_list("key", flat=True)) >= {
        "older_people", "disability", "chronic_illness", "floating", "evacuation_help",
        "low_income", "left_behind_child"}


def test_an_older_person_living_alone_gets_the_tag_and_loses_it_when_no_longer_alone(world):
    person = make_person(GRID_A, "王秀英")
    daughter = make_person(GRID_A, "李娟")
    save(person, "older_people", {"living_situation": "独居", "capability": "mild",
                                  "emergency_contact": daughter.pk})
    person.refresh_from_db()
    assert "elderly_alone" in person.vulnerable_tags
    circumstance = Circumstance.objects.get(person=person)
    assert circumstance.values == {"living_situation": "alone", "capability": "mild",
                                   "emergency_contact": daughter.pk}
    save(person, "older_people", {"living_situation": "with_family"})
    person.refresh_from_db()
    assert "elderly_alone" not in person.vulnerable_tags
    assert Circumstance.objects.filter(person=person).count() == 1  # changed, not duplicated
    assert circumstance.history.count() == 2
    assert circumstance.history.first().history_change_reason.endswith("走访核实")


def test_each_population_refuses_what_does_not_fit(world):
    person = make_person(GRID_A)
    assert "living_situation" in errors_of(person, "older_people", {"capability": "mild"})
    assert "capability" in errors_of(person, "older_people", {"living_situation": "alone",
                                                              "capability": "半失能"})
    assert "grade" in errors_of(person, "disability", {"category": "4", "grade": "5"})
    assert "condition" in errors_of(person, "chronic_illness", {"contract_signed": "是"})
    assert "contract_signed" in errors_of(person, "chronic_illness", {
        "condition": "高血压", "contract_signed": "也许"})
    assert "arrived_on" in errors_of(person, "floating", {"arrived_on": "上个月"})
    assert "helper" in errors_of(person, "evacuation_help", {"help_kind": "wheelchair"})
    assert "members" in errors_of(person, "low_income", {"members": "三人"})
    assert "guardian" in errors_of(person, "left_behind_child", {"school": "育才小学"})
    assert "nickname" in errors_of(person, "floating", {"nickname": "小王"})


def test_values_are_read_as_departments_write_them(world):
    person = make_person(GRID_A)
    save(person, "chronic_illness", {"condition": "糖尿病", "contract_signed": "是",
                                     "contract_date": "2024年3月5日", "family_doctor": " 刘医生 "})
    save(person, "low_income", {"members": "３", "monthly_amount": "1,050.5"})
    values = {c.population.key: c.values for c in Circumstance.objects.filter(person=person)}
    assert values["chronic_illness"] == {"condition": "diabetes", "contract_signed": True,
                                         "contract_date": "2024-03-05",
                                         "family_doctor": "刘医生"}
    assert values["low_income"] == {"members": 3, "monthly_amount": 1050.5}
    person.refresh_from_db()
    assert {"chronically_ill", "low_income"} <= set(person.vulnerable_tags)


def test_a_disability_certificate_is_the_holders_id_with_category_and_grade(world):
    person = make_person(GRID_A)
    whole = person.id_number + "42"
    save(person, "disability", {"certificate": whole, "category": "肢体", "grade": "二级"})
    stored = Circumstance.objects.get(person=person)
    assert stored.values["certificate"] == "42"  # the ID is not copied out of its encryption
    assert "certificate" in errors_of(person, "disability", {
        "certificate": person.id_number + "52", "category": "4", "grade": "2"})
    other = make_person(GRID_A)
    assert "certificate" in errors_of(person, "disability", {
        "certificate": other.id_number + "42", "category": "4", "grade": "2"})
    assert "certificate" in errors_of(person, "disability", {
        "certificate": "12345", "category": "4", "grade": "2"})


def test_a_person_field_links_a_record_never_the_person_themselves(world):
    child = make_person(GRID_A, "小明", id_number="")
    grandmother = make_person(GRID_A, "张桂兰")
    far_away = make_person(GRID_C, "张建国")
    save(child, "left_behind_child", {"guardian": grandmother.pk})
    assert "guardian" in errors_of(child, "left_behind_child", {"guardian": child.pk})
    worker = make_user("grid_worker", GRID_A)
    # Someone outside the worker's grids is named by their ID number, not by a record number.
    assert "guardian" in errors_of(child, "left_behind_child", {"guardian": far_away.pk},
                                   by=worker)
    save(child, "left_behind_child", {"guardian": far_away.id_number}, by=worker)
    assert Circumstance.objects.get(person=child).values["guardian"] == far_away.pk


def test_scope_and_roles(world, grid_worker):
    inside, outside = make_person(GRID_A), make_person(GRID_C)
    save(inside, "floating", {"workplace": "汉口制衣厂"}, by=grid_worker)
    with pytest.raises(ValidationError):
        save(outside, "floating", {"workplace": "汉口制衣厂"}, by=grid_worker)
    save(outside, "floating", {"workplace": "武汉港"})
    assert list(circumstances_visible_to(grid_worker).values_list("person", flat=True)) == [
        inside.pk]
    volunteer = make_user("volunteer", GRID_A)
    assert not circumstances_visible_to(volunteer).exists()
    assert person_circumstances(volunteer, inside) is None
    department = make_user("department_staff", GRID_A)
    assert person_circumstances(department, inside) is None
    with pytest.raises(PermissionDenied):
        save(inside, "floating", {"workplace": "x"}, by=volunteer)


def test_shown_values_mask_what_the_role_does_not_see(world):
    person = make_person(GRID_A)
    contact = make_person(GRID_A, "李娟", phone="13912345678")
    save(person, "older_people", {"living_situation": "alone", "emergency_contact": contact.pk})
    save(person, "disability", {"certificate": person.id_number + "11", "category": "1",
                                "grade": "1"})
    officer = make_user("street_officer", STREET_1)
    shown = {item.population.key: {v.label: v.text for v in item.values}
             for item in person_circumstances(officer, person)}
    assert shown["older_people"]["居住情况"] == "独居"
    assert shown["older_people"]["紧急联系人"] == "李娟 13912345678"
    assert shown["disability"]["残疾人证号"] == (
        person.id_number[:4] + "*" * 12 + person.id_number[-2:] + "11")


def test_an_ended_circumstance_is_kept_and_takes_its_tag_away(world):
    person = make_person(GRID_A)
    circumstance = save(person, "low_income", {"members": 2})
    circumstance_end(circumstance=circumstance, by=SYSTEM, reason="收入超标退出")
    person.refresh_from_db()
    assert "low_income" not in person.vulnerable_tags
    assert Circumstance.objects.get(person=person).ended_on == datetime.date.today()
    again = save(person, "low_income", {"members": 3})
    assert again.pk != circumstance.pk
    with pytest.raises(ValidationError):
        circumstance_end(circumstance=Circumstance.objects.get(pk=circumstance.pk), by=SYSTEM,
                         reason="again")


def test_a_future_start_is_refused(world):
    person = make_person(GRID_A)
    with pytest.raises(ValidationError):
        save(person, "floating", {"workplace": "x"},
             since=datetime.date.today() + datetime.timedelta(days=3))
    assert Person.objects.get(pk=person.pk).circumstances.count() == 0
