import pytest

from tests.factories import GRID_A, make_user
from wangge.foundation.permissions import Role
from wangge.people.models import Person


@pytest.fixture
def form(residents):
    """The edit form as the page fills it for resident A."""
    person = residents["a"]
    return {
        "phone": person.phone, "residence_type": person.residence_type,
        "occupation": person.occupation, "health_status": person.health_status,
        "name": person.name, "ethnicity": person.ethnicity,
        "document_type": person.document_type, "id_number": person.id_number,
        "sex": person.sex, "birth_date": person.birth_date.isoformat(),
    }


def url(residents) -> str:
    return f"/people/{residents['a'].pk}/edit/"


def test_the_form_is_filled_from_the_record(worker_client, residents):
    page = worker_client.get(url(residents)).content.decode()
    assert 'value="13812345678"' in page
    assert 'name="reason"' in page


def test_errors_are_shown_by_their_field_and_nothing_is_saved(worker_client, residents, form):
    response = worker_client.post(url(residents), {
        **form, "phone": "12345", "occupation": "教师", "reason": "更正电话"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["phone"]
    assert 'id="id_phone_error"' in response.content.decode()
    person = Person.objects.get(pk=residents["a"].pk)
    assert (person.phone, person.occupation) == ("13812345678", "")
    assert person.history.count() == 1


def test_a_change_without_a_reason_is_refused(worker_client, residents, form):
    response = worker_client.post(url(residents), {**form, "phone": "13900001111"})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    assert Person.objects.get(pk=residents["a"].pk).phone == "13812345678"


def test_a_missing_reason_and_a_bad_field_are_shown_together(worker_client, residents, form):
    response = worker_client.post(url(residents), {**form, "phone": "12345"})
    assert set(response.context["form"].errors) == {"phone", "reason"}


def test_a_save_without_changes_is_refused(worker_client, residents, form):
    response = worker_client.post(url(residents), {**form, "reason": "看看"})
    assert response.context["form"].non_field_errors()
    assert Person.objects.get(pk=residents["a"].pk).history.count() == 1


def test_a_correction_is_saved_and_appears_in_the_history(worker_client, residents, form):
    response = worker_client.post(url(residents), {
        **form, "phone": "139 0000 1111", "vulnerable_tags": ["elderly_alone", "low_income"],
        "reason": "电话停机，入户核实"}, follow=True)
    person = Person.objects.get(pk=residents["a"].pk)
    assert person.phone == "13900001111"
    assert person.vulnerable_tags == ["elderly_alone", "low_income"]
    entry = response.context["history"][0]
    assert entry["reason"] == "电话停机，入户核实"
    assert entry["who"] == "worker-a"
    assert {change["field"] for change in entry["changes"]} >= {"phone", "vulnerable_tags"}
    page = response.content.decode()
    assert "电话停机，入户核实" in page
    assert "13900001111" in page


def test_an_id_that_contradicts_the_birth_date_is_an_error_on_the_field(worker_client,
                                                                       residents, form):
    response = worker_client.post(url(residents), {
        **form, "birth_date": "1990-01-01", "reason": "更正"})
    assert "birth_date" in response.context["form"].errors


def test_a_volunteer_cannot_post_an_edit(client, residents, form):
    client.force_login(make_user(Role.VOLUNTEER, GRID_A))
    response = client.post(url(residents), {**form, "phone": "13900001111", "reason": "x"})
    assert response.status_code == 403
    assert Person.objects.get(pk=residents["a"].pk).phone == "13812345678"
