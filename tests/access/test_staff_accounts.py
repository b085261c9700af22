"""District and street administrators manage the working accounts of their jurisdiction
(``Action.MANAGE_STAFF_ACCOUNTS``, ``permissions.ACCOUNT_GRANTS``) through the same services
as the security administrator: only roles below their own, only areas of their own, never an
administrator's account or their own, never a password they would know."""

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import (
    COMMUNITY_1,
    DISTRICT,
    GRID_A,
    GRID_B,
    GRID_C,
    STREET_1,
    STREET_2,
    make_user,
)
from wangge.access.selectors import account_history, users_visible_to
from wangge.access.services import (
    password_link_token,
    sign_in_unlock,
    token_create,
    token_revoke,
    two_factor_reset,
    user_create,
    user_password_choose,
    user_password_reset,
    user_password_set,
    user_update,
)
from wangge.foundation.permissions import ACCOUNT_GRANTS, Role, grantable_roles

PASSWORD = "a long passphrase 1"


@pytest.fixture
def district_admin(world):
    return make_user(Role.DISTRICT_ADMIN, DISTRICT, username="district")


@pytest.fixture
def street_admin(world):
    return make_user(Role.STREET_OFFICER, STREET_1, username="street-1")


def test_a_district_administrator_creates_a_grid_worker_without_knowing_a_password(
        district_admin):
    worker, password = user_create(by=district_admin, username="new-worker",
                                   role=Role.GRID_WORKER, jurisdictions=[GRID_A],
                                   display_name="李四", reason="新入职")
    assert password == ""
    assert not worker.has_usable_password()
    assert worker.first_name == "李四"
    [created] = worker.history.all()
    assert (created.history_user, created.history_change_reason) == (district_admin, "新入职")
    with pytest.raises(ValidationError) as refused:
        user_create(by=district_admin, username="known", role=Role.GRID_WORKER,
                    jurisdictions=[GRID_A], password=PASSWORD)
    assert "password" in refused.value.message_dict


@pytest.mark.parametrize("role", [Role.DISTRICT_ADMIN, Role.SECURITY_ADMIN, Role.SYSTEM_ADMIN,
                                  Role.AUDITOR, Role.RESIDENT])
def test_a_district_administrator_gives_no_administrator_role(district_admin, role):
    with pytest.raises(ValidationError) as refused:
        user_create(by=district_admin, username="x", role=role, jurisdictions=[GRID_A])
    assert "role" in refused.value.message_dict


def test_a_street_administrator_gives_only_roles_below_its_own(street_admin):
    assert grantable_roles(street_admin) == ACCOUNT_GRANTS[Role.STREET_OFFICER]
    user_create(by=street_admin, username="staff", role=Role.COMMUNITY_STAFF,
                jurisdictions=[COMMUNITY_1])
    for role in (Role.STREET_OFFICER, Role.DISTRICT_ADMIN):
        with pytest.raises(ValidationError) as refused:
            user_create(by=street_admin, username=f"up-{role}", role=role,
                        jurisdictions=[GRID_A])
        assert "role" in refused.value.message_dict
    worker = make_user(Role.GRID_WORKER, GRID_A)
    with pytest.raises(ValidationError) as refused:
        user_update(user=worker, by=street_admin, reason="提拔", role=Role.STREET_OFFICER)
    assert "role" in refused.value.message_dict
    worker.refresh_from_db()
    assert worker.role == Role.GRID_WORKER


def test_a_street_administrator_hands_out_only_areas_of_its_street(street_admin):
    with pytest.raises(ValidationError) as refused:
        user_create(by=street_admin, username="far", role=Role.GRID_WORKER,
                    jurisdictions=[GRID_C])
    assert "jurisdictions" in refused.value.message_dict
    worker = make_user(Role.GRID_WORKER, GRID_A)
    with pytest.raises(ValidationError):
        user_update(user=worker, by=street_admin, reason="调整", jurisdictions=[GRID_A, GRID_C])
    user_update(user=worker, by=street_admin, reason="调整", jurisdictions=[GRID_B])
    assert list(worker.jurisdictions.values_list("code", flat=True)) == [GRID_B]


def test_a_street_administrator_sees_only_working_accounts_wholly_in_its_street(world,
                                                                                street_admin):
    mine = make_user(Role.GRID_WORKER, GRID_A)
    other_street = make_user(Role.GRID_WORKER, GRID_C)
    both_streets = make_user(Role.DEPARTMENT_STAFF, STREET_1, STREET_2)
    district = make_user(Role.DISTRICT_ADMIN, DISTRICT)
    district_admin_in_street = make_user(Role.DISTRICT_ADMIN, STREET_1)
    colleague = make_user(Role.STREET_OFFICER, STREET_1)
    security = make_user(Role.SECURITY_ADMIN, STREET_1)
    assert list(users_visible_to(street_admin)) == [mine]
    for account in (other_street, both_streets, district, district_admin_in_street, colleague,
                    security, street_admin):
        with pytest.raises((ValidationError, PermissionDenied)):
            user_update(user=account, by=street_admin, reason="试图", is_active=False)
        account.refresh_from_db()
        assert account.is_active


def test_a_district_administrator_manages_street_administrators_not_its_peers(
        district_admin):
    street = make_user(Role.STREET_OFFICER, STREET_2)
    peer = make_user(Role.DISTRICT_ADMIN, DISTRICT)
    assert set(users_visible_to(district_admin)) == {street}
    user_update(user=street, by=district_admin, reason="调离", is_active=False)
    with pytest.raises(ValidationError):
        user_update(user=peer, by=district_admin, reason="试图", is_active=False)


def test_the_security_administrators_own_tools_stay_its_own(district_admin):
    """Setting a password, resetting a second factor, lifting a lockout and revoking tokens
    stay with the security administrator (the back office)."""
    worker = make_user(Role.GRID_WORKER, GRID_A)
    token_create(user=worker, name="脚本")
    for service in (lambda: user_password_set(user=worker, by=district_admin,
                                              password=PASSWORD),
                    lambda: two_factor_reset(user=worker, by=district_admin),
                    lambda: sign_in_unlock(user=worker, by=district_admin),
                    lambda: token_revoke(token=worker.api_tokens.get(), by=district_admin)):
        with pytest.raises(PermissionDenied):
            service()


def test_roles_without_the_action_manage_nothing(world):
    worker = make_user(Role.GRID_WORKER, GRID_A)
    for role in (Role.COMMUNITY_STAFF, Role.GRID_WORKER, Role.AUDITOR, Role.SYSTEM_ADMIN):
        actor = make_user(role, STREET_1)
        assert not users_visible_to(actor).exists()
        with pytest.raises(PermissionDenied):
            user_create(by=actor, username=f"by-{role}", role=Role.VOLUNTEER,
                        jurisdictions=[GRID_A])
        with pytest.raises(PermissionDenied):
            user_password_reset(user=worker, by=actor, reason="试图")


def test_a_reset_stops_the_old_password_and_hands_over_a_one_time_link(district_admin):
    worker = make_user(Role.VOLUNTEER, GRID_A, username="vol")
    worker.set_password(PASSWORD)
    worker.save()
    AccessAttempt.objects.create(username="vol", ip_address="10.0.0.1", user_agent="x",
                                 failures_since_start=5, attempt_time=timezone.now())
    with pytest.raises(ValidationError):
        user_password_reset(user=worker, by=district_admin, reason=" ")
    token = user_password_reset(user=worker, by=district_admin, reason="忘记密码")
    worker.refresh_from_db()
    assert not worker.has_usable_password()
    assert not worker.check_password(PASSWORD)
    assert not AccessAttempt.objects.filter(username="vol").exists()  # the lockout lifted
    latest = worker.history.latest()
    assert latest.history_user == district_admin
    assert "忘记密码" in latest.history_change_reason
    # A second reset makes the first link useless.
    second = user_password_reset(user=worker, by=district_admin, reason="链接丢失")
    worker.refresh_from_db()
    with pytest.raises(ValidationError):
        user_password_choose(user=worker, token=token, password="another passphrase 2")
    user_password_choose(user=worker, token=second, password="another passphrase 2")
    worker.refresh_from_db()
    assert worker.check_password("another passphrase 2")
    assert worker.history.latest().history_user == worker  # the owner chose it
    with pytest.raises(ValidationError):  # once only
        user_password_choose(user=worker, token=second, password="a third passphrase 3")


def test_the_owner_chooses_a_password_the_policy_accepts(district_admin):
    worker, _password = user_create(by=district_admin, username="owner",
                                    role=Role.GRID_WORKER, jurisdictions=[GRID_A])
    token = password_link_token(worker)
    with pytest.raises(ValidationError) as refused:
        user_password_choose(user=worker, token=token, password="12345678")
    assert "password" in refused.value.message_dict
    worker.refresh_from_db()
    assert not worker.has_usable_password()


def test_a_link_expires(district_admin, settings):
    worker, _password = user_create(by=district_admin, username="late",
                                    role=Role.GRID_WORKER, jurisdictions=[GRID_A])
    token = password_link_token(worker)
    settings.PASSWORD_RESET_TIMEOUT = -1
    with pytest.raises(ValidationError):
        user_password_choose(user=worker, token=token, password="another passphrase 2")


def test_a_deactivated_account_uses_no_link(district_admin):
    worker, _password = user_create(by=district_admin, username="gone",
                                    role=Role.GRID_WORKER, jurisdictions=[GRID_A])
    token = password_link_token(worker)
    user_update(user=worker, by=district_admin, reason="离职", is_active=False)
    with pytest.raises(ValidationError):
        user_password_choose(user=worker, token=token, password="another passphrase 2")


def test_the_history_says_who_why_and_what(district_admin):
    district_admin.first_name = "区管理员"
    district_admin.save()
    worker, _password = user_create(by=district_admin, username="hist", role=Role.GRID_WORKER,
                                    jurisdictions=[GRID_A], reason="新入职")
    user_update(user=worker, by=district_admin, reason="调网格", jurisdictions=[GRID_B],
                role=Role.COMMUNITY_STAFF)
    entries = account_history(worker)
    whats = [change["label"] for entry in entries for change in entry["changes"]]
    assert "Jurisdiction added: 民意二网格" in whats
    assert "Jurisdiction removed: 民意一网格" in whats
    [role] = [change for entry in entries for change in entry["changes"]
              if change["label"] == "role"]
    assert (role["old"], role["new"]) == ("Grid worker", "Community staff")
    assert {entry["who"] for entry in entries} == {"区管理员"}
    assert {entry["reason"] for entry in entries} == {"新入职", "调网格"}


def test_staff_administrators_need_a_second_factor(district_admin, street_admin):
    from wangge.foundation.permissions import needs_two_factor

    assert needs_two_factor(district_admin)
    assert needs_two_factor(street_admin)
    assert not TOTPDevice.objects.exists()
