"""Two-factor sign-in (TOTP, django-otp) for the roles permissions.needs_two_factor names."""

import base64
import datetime
import re

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import DISTRICT, GRID_A, make_user
from wangge.access.models import User
from wangge.access.services import two_factor_reset
from wangge.foundation.permissions import (
    ROLE_ACTIONS,
    UNMASKED_FIELDS,
    Action,
    Role,
    SensitiveField,
    needs_two_factor,
)

PASSWORD = "a long passphrase 1"


def signed_in(role: str, username: str) -> Client:
    """A client past the password step only, through the login page."""
    user = make_user(role, GRID_A, username=username)
    user.set_password(PASSWORD)
    user.save()
    client = Client(headers={"Accept-Language": "en"})
    response = client.post("/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def code_for(secret: str, *, steps_ahead: int = 0) -> str:
    totp = TOTP(base64.b32decode(secret))
    totp.drift = steps_ahead
    return f"{totp.token():06d}"


def after_the_pause():
    """Two seconds on: django-otp refuses any code for a second after a wrong one."""
    return time_machine.travel(datetime.datetime.now(datetime.UTC)
                               + datetime.timedelta(seconds=2))


def enrol(client: Client) -> tuple[str, object]:
    page = client.get("/account/two-factor/").content.decode()
    secret = re.search(r'id="totp-secret">([A-Z2-7=]+)<', page).group(1)
    assert '<figure class="qr"><svg' in page  # the QR code, drawn inline
    return secret, client.post("/account/two-factor/", {"code": code_for(secret)})


@pytest.mark.parametrize("role", Role.values)
def test_the_rule_covers_full_ids_exports_and_administration(role):
    expected = (SensitiveField.ID_NUMBER in UNMASKED_FIELDS[role]
                or bool(ROLE_ACTIONS[role] & {Action.USE_REPORTS, Action.IMPORT_FILES,
                                              Action.MANAGE_ACCOUNTS, Action.READ_LOGS,
                                              Action.CONFIGURE_EVENTS, Action.EDIT_DIVISIONS}))
    assert needs_two_factor(User(username="x", role=role)) is expected
    assert needs_two_factor(User(username="x", role=role, is_superuser=True))


def test_a_grid_worker_enrols_on_first_sign_in_and_reaches_people_only_after(world):
    client = signed_in(Role.GRID_WORKER, "gw")
    # Every page, and the API through the session, waits for the second factor.
    people = client.get("/people/?q=x")
    assert people.status_code == 302
    assert people.url == "/account/two-factor/?next=/people/%3Fq%3Dx"
    assert client.get("/api/v1/persons").status_code == 401
    page = client.get(people.url).content.decode()
    secret = re.search(r'id="totp-secret">([A-Z2-7=]+)<', page).group(1)
    wrong = client.post(people.url, {"code": code_for(secret, steps_ahead=5)})
    assert wrong.status_code == 400
    assert "That code is not right" in wrong.content.decode()
    assert client.get("/people/").status_code == 302
    with after_the_pause():
        right = client.post(people.url, {"code": code_for(secret)})
    assert right.status_code == 302
    assert right.url == "/people/?q=x"
    assert client.get("/people/").status_code == 200
    assert client.get("/api/v1/persons").status_code == 200
    assert TOTPDevice.objects.get(user__username="gw").confirmed


def test_a_second_sign_in_asks_for_the_code_and_not_the_enrolment(world):
    first = signed_in(Role.COMMUNITY_STAFF, "staff")
    secret, response = enrol(first)
    assert response.status_code == 302
    again = Client(headers={"Accept-Language": "en"})
    again.post("/login/", {"username": "staff", "password": PASSWORD})
    page = again.get("/account/two-factor/").content.decode()
    assert "totp-secret" not in page
    assert 'class="qr"' not in page  # the secret is shown only while enrolling
    # The code just used is refused (a code is good once); the next step's is accepted, once
    # the pause django-otp puts after a failure (a second) has passed.
    assert again.post("/account/two-factor/", {"code": code_for(secret)}).status_code == 400
    with after_the_pause():
        assert again.post("/account/two-factor/",
                          {"code": code_for(secret, steps_ahead=1)}).status_code == 302
    assert again.get("/people/").status_code == 200


def test_a_role_that_does_not_need_it_is_not_asked(world):
    client = signed_in(Role.VOLUNTEER, "vol")
    assert client.get("/people/").status_code == 200
    assert not TOTPDevice.objects.filter(user__username="vol").exists()


def test_the_security_administrator_resets_a_lost_device(world):
    client = signed_in(Role.GRID_WORKER, "gw")
    enrol(client)
    security = make_user(Role.SECURITY_ADMIN, DISTRICT)
    assert two_factor_reset(user=User.objects.get(username="gw"), by=security) == 1
    again = Client(headers={"Accept-Language": "en"})
    again.post("/login/", {"username": "gw", "password": PASSWORD})
    assert "totp-secret" in again.get("/account/two-factor/").content.decode()


def test_only_the_security_administrator_of_the_account_resets_it(world):
    user = make_user(Role.GRID_WORKER, GRID_A)
    with pytest.raises(PermissionDenied):
        two_factor_reset(user=user, by=make_user(Role.DISTRICT_ADMIN, DISTRICT))
    with pytest.raises(ValidationError):
        two_factor_reset(user=user, by=make_user(Role.SECURITY_ADMIN, "420102002000"))
