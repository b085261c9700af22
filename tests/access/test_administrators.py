"""The three administrators (三员分立): the security administrator manages accounts and sees no
one's data, the audit administrator reads the logs and changes nothing, the system
administrator configures and manages no account; no one erases a log."""

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.admin.models import LogEntry
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import DISTRICT, GRID_A, GRID_C, make_person, make_user
from wangge.access.models import User
from wangge.foundation.permissions import Role


@pytest.fixture
def worker(world):
    return make_user(Role.GRID_WORKER, GRID_A, username="gw")


def change_form(user: User, **changes) -> dict:
    data = {"username": user.username, "first_name": user.first_name, "last_name": "",
            "email": "", "role": user.role, "is_active": "on",
            "jurisdictions-TOTAL_FORMS": "1", "jurisdictions-INITIAL_FORMS": "1",
            "jurisdictions-MIN_NUM_FORMS": "0", "jurisdictions-MAX_NUM_FORMS": "1000",
            "jurisdictions-0-id": str(user.jurisdictions.get().pk),
            "jurisdictions-0-user": str(user.pk),
            "jurisdictions-0-code": user.jurisdictions.get().code}
    return {**data, **changes}


def test_the_security_administrator_changes_a_role_but_sees_no_person(worker, page_as):
    make_person(GRID_A, name="张三")
    client = page_as(make_user(Role.SECURITY_ADMIN, DISTRICT))
    url = f"/admin/access/user/{worker.pk}/change/"
    response = client.post(url, change_form(worker, role=Role.COMMUNITY_STAFF))
    assert response.status_code == 302, response.content.decode()[-3000:]
    worker.refresh_from_db()
    assert worker.role == Role.COMMUNITY_STAFF
    assert LogEntry.objects.filter(object_id=str(worker.pk)).exists()
    # No person, no record, no log's content.
    assert "张三" not in client.get("/people/?q=张").content.decode()
    assert client.get("/admin/people/person/").status_code == 403
    assert client.get("/admin/axes/accesslog/").status_code == 403
    assert client.get("/admin/admin/logentry/").status_code == 403


def test_the_security_administrator_cannot_raise_itself_nor_reach_outside(worker, page_as):
    security = make_user(Role.SECURITY_ADMIN, "420102002000")
    client = page_as(security)
    assert client.get(f"/admin/access/user/{worker.pk}/change/").status_code == 404
    own = client.post(f"/admin/access/user/{security.pk}/change/",
                      change_form(security, role=Role.DISTRICT_ADMIN))
    assert own.status_code == 403
    security.refresh_from_db()
    assert security.role == Role.SECURITY_ADMIN
    # Nor hand an account a jurisdiction outside its own.
    colleague = make_user(Role.GRID_WORKER, GRID_C)
    response = client.post(f"/admin/access/user/{colleague.pk}/change/",
                           change_form(colleague, **{"jurisdictions-0-code": GRID_A}))
    assert response.status_code == 200
    assert "outside your jurisdiction" in response.content.decode()
    assert colleague.jurisdictions.get().code == GRID_C


def test_the_auditor_reads_the_logs_and_cannot_edit_an_account(worker, page_as):
    AccessLog.objects.create(username="gw", ip_address="10.0.0.1", user_agent="test",
                             attempt_time=timezone.now())
    failure = AccessFailureLog.objects.create(username="gw", ip_address="10.0.0.2",
                                              user_agent="test", attempt_time=timezone.now())
    client = page_as(make_user(Role.AUDITOR, DISTRICT))
    assert "10.0.0.1" in client.get("/admin/axes/accesslog/").content.decode()
    assert "10.0.0.2" in client.get("/admin/axes/accessfailurelog/").content.decode()
    assert client.get("/admin/admin/logentry/").status_code == 200
    assert client.get("/admin/access/user/").status_code == 403
    response = client.post(f"/admin/access/user/{worker.pk}/change/",
                           change_form(worker, role=Role.DISTRICT_ADMIN))
    assert response.status_code == 403
    worker.refresh_from_db()
    assert worker.role == Role.GRID_WORKER
    assert client.post(f"/admin/axes/accessfailurelog/{failure.pk}/delete/",
                       {"post": "yes"}).status_code == 403


def test_the_system_administrator_configures_and_manages_no_account(worker, page_as):
    client = page_as(make_user(Role.SYSTEM_ADMIN, DISTRICT))
    assert client.get("/admin/events/category/").status_code == 200
    assert client.get("/admin/divisions/grid/").status_code == 200
    assert client.get("/admin/access/user/").status_code == 403
    assert client.get("/admin/axes/accesslog/").status_code == 403
    assert client.get("/admin/people/person/").status_code == 403


@pytest.mark.parametrize("log", ["axes/accesslog", "axes/accessfailurelog", "admin/logentry"])
def test_no_one_deletes_a_log_not_even_a_superuser(log, world, page_as):
    AccessLog.objects.create(username="gw", ip_address="10.0.0.1", user_agent="test",
                             attempt_time=timezone.now())
    AccessFailureLog.objects.create(username="gw", ip_address="10.0.0.2", user_agent="test",
                                    attempt_time=timezone.now())
    root = User.objects.create_superuser("root", password="a long passphrase 1")
    client = page_as(root)
    LogEntry.objects.log_actions(root.pk, [root], 2, change_message="test")
    model = {"axes/accesslog": AccessLog, "axes/accessfailurelog": AccessFailureLog,
             "admin/logentry": LogEntry}[log]
    entry = model.objects.first()
    assert client.get(f"/admin/{log}/").status_code == 200
    assert client.post(f"/admin/{log}/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(f"/admin/{log}/", {"action": "delete_selected", "post": "yes",
                                   "_selected_action": [entry.pk]})
    assert model.objects.filter(pk=entry.pk).exists()


def test_the_security_administrator_creates_an_account_answering_for_a_code(world, page_as):
    client = page_as(make_user(Role.SECURITY_ADMIN, DISTRICT))
    form = {"username": "new-worker", "role": Role.GRID_WORKER,
            "password1": "a long passphrase 1", "password2": "a long passphrase 1",
            "jurisdictions-TOTAL_FORMS": "1", "jurisdictions-INITIAL_FORMS": "0",
            "jurisdictions-MIN_NUM_FORMS": "1", "jurisdictions-MAX_NUM_FORMS": "1000",
            "jurisdictions-0-code": ""}
    refused = client.post("/admin/access/user/add/", form)
    assert refused.status_code == 200
    assert not User.objects.filter(username="new-worker").exists()
    created = client.post("/admin/access/user/add/", {**form, "jurisdictions-0-code": GRID_A})
    assert created.status_code == 302
    user = User.objects.get(username="new-worker")
    assert (user.role, user.is_staff, user.is_superuser) == (Role.GRID_WORKER, False, False)
    assert [j.prefix for j in user.jurisdictions.all()] == [GRID_A]


def test_the_security_administrator_unlocks_and_resets_from_the_accounts_list(worker,
                                                                              page_as):
    AccessAttempt.objects.create(username="gw", ip_address="10.0.0.1", user_agent="test",
                                 failures_since_start=5, attempt_time=timezone.now())
    TOTPDevice.objects.create(user=worker, name="phone")
    client = page_as(make_user(Role.SECURITY_ADMIN, DISTRICT))
    for action in ("unlock_sign_in", "reset_two_factor"):
        response = client.post("/admin/access/user/", {"action": action,
                                                       "_selected_action": [worker.pk]})
        assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="gw").exists()
    assert not TOTPDevice.objects.filter(user=worker).exists()
    assert set(LogEntry.objects.filter(object_id=str(worker.pk))
               .values_list("change_message", flat=True)) == {
        "Unlocked sign-in.", "Reset two-factor sign-in."}
