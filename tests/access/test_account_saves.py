"""Every account save in the back office goes through the accounts services: scope, the
password policy and the separation of the administrators hold there as on the pages, a
refusal is the form again with why, and a valid save leaves history naming its actor."""

import pytest

from tests.access.test_administrators import change_form
from tests.factories import GRID_A, GRID_C, STREET_1, make_user
from wangge.access.models import Jurisdiction, PasswordHistory, User
from wangge.access.services import user_create, user_update
from wangge.foundation.permissions import Role

NEW_PASSWORD = "a long passphrase 7"


@pytest.fixture
def security(world):
    return make_user(Role.SECURITY_ADMIN, STREET_1)


def test_an_account_is_never_created_without_its_actor(world):
    with pytest.raises(TypeError):
        user_create(username="x", role=Role.GRID_WORKER, jurisdictions=[GRID_A])
    with pytest.raises(TypeError):
        user_create(username="x", role=Role.GRID_WORKER, jurisdictions=[GRID_A], by=None)


def test_a_valid_change_leaves_history_naming_its_actor(security, page_as):
    worker = make_user(Role.GRID_WORKER, GRID_A)
    client = page_as(security)
    response = client.post(f"/admin/access/user/{worker.pk}/change/",
                           change_form(worker, role=Role.COMMUNITY_STAFF,
                                       jurisdictions=f"{GRID_A} {STREET_1}"))
    assert response.status_code == 302, response.content.decode()[-2000:]
    last = worker.history.latest()
    assert (last.role, last.history_user, last.history_change_reason) == (
        Role.COMMUNITY_STAFF, security, "工作调整")
    added = Jurisdiction.history.filter(user_id=worker.pk, code=STREET_1).get()
    assert (added.history_type, added.history_user) == ("+", security)


@pytest.mark.parametrize(("changes", "error"), [
    ({"jurisdictions": GRID_C}, "outside your jurisdiction"),
    ({"jurisdictions": ""}, "at least one jurisdiction"),
    ({"reason": ""}, "This field is required"),
    ({"email": "not an address"}, "valid email"),
])
def test_a_change_the_service_refuses_is_the_form_again(changes, error, security, page_as):
    worker = make_user(Role.GRID_WORKER, GRID_A)
    response = page_as(security).post(f"/admin/access/user/{worker.pk}/change/",
                                      change_form(worker, **changes))
    assert response.status_code == 200
    assert error in response.content.decode()
    worker.refresh_from_db()
    assert [j.code for j in worker.jurisdictions.all()] == [GRID_A]
    assert worker.history.count() == 1


def test_an_account_also_answering_elsewhere_is_not_changed_from_one_street(security,
                                                                            page_as):
    both = make_user(Role.GRID_WORKER, GRID_A, GRID_C)
    response = page_as(security).post(f"/admin/access/user/{both.pk}/change/",
                                      change_form(both, role=Role.DISTRICT_ADMIN))
    assert response.status_code == 200
    assert "outside your jurisdiction" in response.content.decode()
    both.refresh_from_db()
    assert both.role == Role.GRID_WORKER


def test_no_administrator_changes_its_own_account_through_the_service(security):
    with pytest.raises(Exception, match="another administrator"):
        user_update(user=security, by=security, reason="提权", role=Role.DISTRICT_ADMIN)
    with pytest.raises(TypeError):
        user_update(user=make_user(Role.GRID_WORKER, GRID_A), by=security, reason="提权",
                    is_superuser=True)


@pytest.mark.parametrize(("password", "error"), [
    ("short", "too short"),
    ("password1234", "too common"),
])
def test_the_password_form_keeps_the_policy(password, error, security, page_as):
    worker = make_user(Role.GRID_WORKER, GRID_A)
    response = page_as(security).post(f"/admin/access/user/{worker.pk}/password/",
                                      {"password1": password, "password2": password})
    assert response.status_code == 200
    assert error in response.content.decode()


def test_a_password_set_in_the_back_office_joins_the_history_and_is_not_reused(security,
                                                                              page_as):
    worker = make_user(Role.GRID_WORKER, GRID_A)
    client = page_as(security)
    url = f"/admin/access/user/{worker.pk}/password/"
    form = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    assert client.post(url, form).status_code == 302
    worker.refresh_from_db()
    assert worker.check_password(NEW_PASSWORD)
    assert PasswordHistory.objects.filter(user=worker).exists()
    assert worker.history.latest().history_user == security
    again = client.post(url, form)
    assert again.status_code == 200
    assert "used recently" in again.content.decode()


def test_an_account_added_with_a_weak_password_is_refused(security, page_as):
    form = {"username": "new-worker", "role": Role.GRID_WORKER, "password": "12345678",
            "password_again": "12345678", "reason": "新员工", "jurisdictions": GRID_A}
    response = page_as(security).post("/admin/access/user/add/", form)
    assert response.status_code == 200
    assert not User.objects.filter(username="new-worker").exists()
    created = page_as(security).post("/admin/access/user/add/", {
        **form, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert created.status_code == 302
    user = User.objects.get(username="new-worker")
    assert user.history.get().history_user == security
    assert user.check_password(NEW_PASSWORD)


def test_the_security_administrator_cannot_hand_out_another_street(security, page_as):
    response = page_as(security).post("/admin/access/user/add/", {
        "username": "far", "role": Role.GRID_WORKER, "password": NEW_PASSWORD,
        "password_again": NEW_PASSWORD, "reason": "新员工", "jurisdictions": GRID_C})
    assert response.status_code == 200
    assert "outside your jurisdiction" in response.content.decode()
    assert not User.objects.filter(username="far").exists()
