from tests.factories import GRID_A, make_user
from wangge.foundation.permissions import Role
from wangge.people.services import person_update


def test_volunteer_sees_id_and_phone_masked(client, residents):
    client.force_login(make_user(Role.VOLUNTEER, GRID_A))
    page = client.get(f"/people/{residents['a'].pk}/").content.decode()
    assert "4201**********123X" in page
    assert "138****5678" in page
    assert "42010219800108123X" not in page
    assert "13812345678" not in page
    assert "/edit/" not in page


def test_volunteer_may_not_open_the_edit_form(client, residents):
    client.force_login(make_user(Role.VOLUNTEER, GRID_A))
    assert client.get(f"/people/{residents['a'].pk}/edit/").status_code == 403


def test_grid_worker_sees_the_record_and_its_history(worker_client, grid_worker, residents):
    person = residents["a"]
    person_update(person=person, by=grid_worker, reason="入户核实", occupation="教师",
                  residence_type="renting")
    response = worker_client.get(f"/people/{person.pk}/")
    page = response.content.decode()
    # The full ID waits for a purpose (tests/auditlog/test_pages.py); the phone does not.
    assert "4201**********123X" in page
    assert "42010219800108123X" not in page
    assert f"/people/{person.pk}/reveal/" in page
    assert 'href="tel:13812345678"' in page
    entry = response.context["history"][0]
    assert (entry["who"], entry["reason"]) == ("worker-a", "入户核实")
    assert "入户核实" in page
    assert "教师" in page
    # Choice values are shown by their labels, not their codes.
    assert "<del>户籍人口</del> → <ins>租住人口</ins>" in page


def test_history_of_sensitive_fields_is_masked_for_a_street_officer(client, grid_worker,
                                                                   residents):
    person = residents["a"]
    person_update(person=person, by=grid_worker, reason="复查", health_status="chronic")
    client.force_login(make_user(Role.AUDITOR, GRID_A))
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert "复查" in page
    assert "***" in page
    assert "慢性" not in page
    assert "Chronic" not in page
