"""Sign-in throttling (django-axes): per account and per client address, logged, unlocked by
the security administrator, counting the address the deployment trusts."""

import re

import pytest
from axes.models import AccessFailureLog, AccessLog
from django.test import Client

from tests.factories import DISTRICT, GRID_A, make_user
from wangge.access.services import sign_in_unlock
from wangge.foundation.permissions import Role

PASSWORD = "a long passphrase 1"
LOCKED = "Too many failed sign-ins for this account or from this address."


def sign_in(username: str, password: str, address: str = "10.0.0.1", **meta: str):
    client = Client(headers={"Accept-Language": "en"})
    return client.post("/login/", {"username": username, "password": password},
                       REMOTE_ADDR=address, **meta)


@pytest.fixture
def volunteer(world):
    user = make_user(Role.VOLUNTEER, GRID_A, username="vol")
    user.set_password(PASSWORD)
    user.save()
    return user


def test_an_account_is_locked_after_five_failures_from_any_address(volunteer):
    for attempt in range(4):
        response = sign_in("vol", "wrong", f"10.0.1.{attempt}")
        assert response.status_code == 200  # the form again, with its error
    locked = sign_in("vol", "wrong", "10.0.1.9")
    assert locked.status_code == 429
    assert LOCKED in locked.content.decode()
    # Locked means locked: the right password from a fresh address is refused too.
    refused = sign_in("vol", PASSWORD, "10.0.2.1")
    assert refused.status_code == 429
    assert "_auth_user_id" not in refused.client.session
    assert AccessFailureLog.objects.filter(username="vol").count() == 6


def test_an_address_is_locked_after_five_failures_whatever_the_account(volunteer):
    for name in ["a", "b", "c", "d", "e"]:
        sign_in(name, "wrong", "10.0.3.3")
    assert sign_in("vol", PASSWORD, "10.0.3.3").status_code == 429
    assert sign_in("vol", PASSWORD, "10.0.3.4").status_code == 302  # another address is fine


def test_signing_in_to_ones_own_account_does_not_reset_the_count_of_another(volunteer):
    mine = make_user(Role.VOLUNTEER, GRID_A, username="mine")
    mine.set_password(PASSWORD)
    mine.save()
    for _attempt in range(4):
        sign_in("vol", "wrong", "10.0.10.1")
    assert sign_in("mine", PASSWORD, "10.0.10.1").status_code == 302
    assert sign_in("vol", "wrong", "10.0.10.2").status_code == 429


def test_the_lockout_says_the_same_for_an_account_that_does_not_exist(volunteer):
    pages = []
    for username, base in (("vol", "10.0.4."), ("nobody", "10.0.5.")):
        for attempt in range(5):
            response = sign_in(username, "wrong", f"{base}{attempt}")
        pages.append(re.sub(r'value="[^"]{64}"', "", response.content.decode()))
    assert pages[0] == pages[1]
    assert LOCKED in pages[0]


def test_successes_are_logged_and_the_security_administrator_unlocks(volunteer):
    for attempt in range(5):
        sign_in("vol", "wrong", f"10.0.6.{attempt}")
    assert sign_in("vol", PASSWORD, "10.0.7.1").status_code == 429
    security = make_user(Role.SECURITY_ADMIN, DISTRICT)
    assert sign_in_unlock(user=volunteer, by=security) >= 1
    assert sign_in("vol", PASSWORD, "10.0.7.1").status_code == 302
    assert AccessLog.objects.filter(username="vol", ip_address="10.0.7.1").exists()


def test_forwarded_for_counts_only_from_a_trusted_proxy(volunteer, settings):
    # Without a trusted proxy a client cannot dodge the per-address count by inventing
    # X-Forwarded-For.
    for attempt in range(5):
        sign_in(f"x{attempt}", "wrong", "10.0.8.1", HTTP_X_FORWARDED_FOR=f"1.2.3.{attempt}")
    assert sign_in("vol", PASSWORD, "10.0.8.1").status_code == 429
    # Behind the deployment's proxy, each client is counted by its own address; what the
    # client wrote to the left of the proxy's entry proves nothing.
    settings.WANGGE_TRUSTED_PROXIES = "10.0.9.0/24"
    for attempt in range(5):
        sign_in(f"y{attempt}", "wrong", "10.0.9.1",
                HTTP_X_FORWARDED_FOR=f"5.6.7.{attempt}, 203.0.113.7")
    assert sign_in("vol", PASSWORD, "10.0.9.1",
                   HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    assert sign_in("vol", PASSWORD, "10.0.9.1",
                   HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 302
