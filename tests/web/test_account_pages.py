"""The account pages (/accounts/) of district and street administrators, and the owner's
one-time set-password link (/account/set-password/...). The rules themselves are the
services' (tests/access/test_staff_accounts.py); here, what the pages do with them."""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from tests.factories import COMMUNITY_1, DISTRICT, GRID_A, GRID_B, GRID_C, STREET_1, make_user
from wangge.access.models import User
from wangge.foundation.permissions import Role

PASSWORD = "a long passphrase 1"


@pytest.fixture
def street_admin(world):
    return make_user(Role.STREET_OFFICER, STREET_1, username="street-1")


@pytest.fixture
def admin_client(client, street_admin):
    client.force_login(street_admin)
    return client


def _link(page: str) -> str:
    return re.search(r'id="link" value="([^"]+)"', page)[1]


def test_the_list_shows_the_accounts_managed_with_their_areas_by_name(admin_client, world):
    make_user(Role.GRID_WORKER, GRID_A, username="worker-a")
    make_user(Role.GRID_WORKER, GRID_C, username="worker-c")
    make_user(Role.DISTRICT_ADMIN, DISTRICT, username="district")
    response = admin_client.get(reverse("accounts:list"))
    page = response.content.decode()
    assert "worker-a" in page
    assert "民意一网格" in page
    assert GRID_A not in page
    assert "worker-c" not in page
    assert "district" not in page
    # As one types, htmx asks for the results alone.
    fragment = admin_client.get(reverse("accounts:list"), {"q": "nobody"},
                                headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment
    assert "worker-a" not in fragment


def test_creating_an_account_shows_a_one_time_link_and_no_password(admin_client, client):
    form = admin_client.get(reverse("accounts:new")).content.decode()
    assert 'value="street_officer"' not in form  # its own role is not offered
    assert 'value="district_admin"' not in form
    assert "民意社区" in form
    assert GRID_C not in form  # the other street's areas are not offered
    response = admin_client.post(reverse("accounts:new"), {
        "username": "li-si", "first_name": "李四", "role": Role.GRID_WORKER,
        "jurisdictions": [GRID_A, GRID_B], "reason": "新入职"})
    assert response.status_code == 201
    page = response.content.decode()
    link = _link(page)
    assert "/account/set-password/" in link
    assert 'type="password"' not in page
    account = User.objects.get(username="li-si")
    assert not account.has_usable_password()
    assert sorted(account.jurisdictions.values_list("code", flat=True)) == [GRID_A, GRID_B]
    # The owner opens the link (no sign-in), is moved off the token, chooses a password.
    admin_client.logout()
    opened = client.get(link)
    assert opened.status_code == 302
    weak = client.post(opened.url, {"new_password1": "123", "new_password2": "123"})
    assert weak.status_code == 200
    assert weak.context["form"].errors
    chosen = client.post(opened.url, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert chosen.status_code == 302
    assert chosen.url == reverse("web:login")
    account.refresh_from_db()
    assert account.check_password(PASSWORD)
    # Once only.
    again = client.get(link, follow=True).content.decode()
    with translation.override("zh-hans"):
        assert gettext("This link no longer works") in again


def test_a_reason_is_required_and_a_role_above_is_refused(admin_client):
    response = admin_client.post(reverse("accounts:new"), {
        "username": "up", "first_name": "王", "role": Role.DISTRICT_ADMIN,
        "jurisdictions": [GRID_A], "reason": ""})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"role", "reason"} <= set(errors)
    assert not User.objects.filter(username="up").exists()


def test_an_area_outside_is_refused_even_when_sent(admin_client):
    response = admin_client.post(reverse("accounts:new"), {
        "username": "far", "first_name": "远", "role": Role.GRID_WORKER,
        "jurisdictions": [GRID_C], "reason": "试图"})
    assert response.status_code == 400
    assert "jurisdictions" in response.context["form"].errors


def test_assigning_grids_and_the_history(admin_client, street_admin):
    worker = make_user(Role.GRID_WORKER, GRID_A, username="worker-a")
    url = reverse("accounts:detail", args=[worker.pk])
    unchanged = admin_client.post(url, {"first_name": "", "email": "", "role": Role.GRID_WORKER,
                                        "jurisdictions": [GRID_A], "reason": "无"})
    assert unchanged.status_code == 400
    response = admin_client.post(url, {"first_name": "王五", "email": "",
                                       "role": Role.GRID_WORKER,
                                       "jurisdictions": [GRID_B], "reason": "网格调整"})
    assert response.status_code == 302
    page = admin_client.get(url).content.decode()
    assert "网格调整" in page
    assert "民意二网格" in page
    worker.refresh_from_db()
    assert worker.first_name == "王五"
    assert list(worker.jurisdictions.values_list("code", flat=True)) == [GRID_B]


def test_a_reset_shows_the_link_once_and_the_old_password_stops(admin_client, client):
    worker = make_user(Role.VOLUNTEER, GRID_A, username="vol")
    worker.set_password(PASSWORD)
    worker.save()
    refused = admin_client.post(reverse("accounts:password", args=[worker.pk]), {"reason": ""})
    assert refused.status_code == 400
    response = admin_client.post(reverse("accounts:password", args=[worker.pk]),
                                 {"reason": "忘记密码"})
    assert response.status_code == 200
    assert "/account/set-password/" in _link(response.content.decode())
    worker.refresh_from_db()
    assert not worker.has_usable_password()


def test_deactivating_ends_the_sign_in(admin_client, client):
    worker = make_user(Role.VOLUNTEER, GRID_A, username="vol")
    other = type(client)()
    other.force_login(worker)
    assert other.get("/").status_code == 200
    response = admin_client.post(reverse("accounts:active", args=[worker.pk]),
                                 {"active": "0", "reason": "离职"})
    assert response.status_code == 302
    worker.refresh_from_db()
    assert not worker.is_active
    assert other.get("/").status_code == 302  # signed out: to the login page
    admin_client.post(reverse("accounts:active", args=[worker.pk]),
                      {"active": "1", "reason": "返岗"})
    worker.refresh_from_db()
    assert worker.is_active


def test_accounts_outside_are_404_and_other_roles_403(admin_client, client, world):
    for account in (make_user(Role.GRID_WORKER, GRID_C), make_user(Role.DISTRICT_ADMIN,
                                                                   DISTRICT)):
        for url in (reverse("accounts:detail", args=[account.pk]),):
            assert admin_client.get(url).status_code == 404
        assert admin_client.post(reverse("accounts:password", args=[account.pk]),
                                 {"reason": "试图"}).status_code == 404
    client.force_login(make_user(Role.COMMUNITY_STAFF, COMMUNITY_1))
    assert client.get(reverse("accounts:list")).status_code == 403


def test_the_pages_are_in_chinese(admin_client):
    page = admin_client.get(reverse("accounts:new")).content.decode()
    assert '<html lang="zh-hans">' in page
    with translation.override("zh-hans"):
        for msgid in ("New account", "Create the account", "Jurisdictions", "Reason"):
            assert gettext(msgid) in page, msgid
