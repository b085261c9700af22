"""In a real browser: a grid worker signs in with a password and a code from an authenticator
app (TOTP, enrolled earlier), reveals a full ID after giving a purpose (htmx, no inline
script), and the auditor, signed in the same way, finds that read in the log."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.factories import GRID_A, STREET_1, make_person, make_user
from tests.web.conftest import in_browser
from tests.web.test_browser import PASSWORD
from wangge.auditlog.models import Entry, Kind
from wangge.foundation.permissions import Role, needs_two_factor

__all__ = ["in_browser"]
ID = "42010219800108123X"


def _enrolled(role: str, code: str, username: str) -> TOTPDevice:
    """An account with a password and an authenticator app it enrolled before."""
    user = make_user(role, code, username=username)
    user.set_password(PASSWORD)
    user.save()
    assert needs_two_factor(user)
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def _code(device: TOTPDevice) -> str:
    """What the authenticator app shows now (the device's key and time step)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_reveal_after_two_factor_sign_in_and_a_purpose_is_found_by_the_auditor(
    in_browser, live_server, world
):
    person = make_person(GRID_A, name="甲居民", id_number=ID)
    devices = {"worker-a": _enrolled(Role.GRID_WORKER, GRID_A, "worker-a"),
               "auditor": _enrolled(Role.AUDITOR, STREET_1, "auditor")}
    base = live_server.url

    def sign_in(page, username: str, target: str) -> str:
        """Password, then the code; returns where the password alone led."""
        page.goto(f"{base}/login/?next={target}")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("form.form button[type=submit]")
        page.wait_for_url(f"{base}/account/two-factor/**")
        after_password = page.url
        page.goto(f"{base}{target}")  # not before the second factor
        page.wait_for_url(f"{base}/account/two-factor/**")
        page.fill("input[name=code]", _code(devices[username]))
        page.click("form.form button[type=submit]")
        page.wait_for_url(f"{base}{target}")
        return after_password

    def walk(chromium) -> tuple[str, str, str, str]:
        page = chromium.new_page(locale="en-US")
        after_password = sign_in(page, "worker-a", f"/people/{person.pk}/")
        masked = page.inner_text("#id-number")
        page.click("#id-number a")
        page.wait_for_selector("#id-number input[name=purpose]")
        page.check("#id-number input[name=purpose][value=health]")
        page.click("#id-number button[type=submit]")
        expect(page.locator("#id-number")).to_contain_text(ID)
        born = page.inner_text("#birth-date")
        page.close()

        page = chromium.new_page(locale="en-US")
        sign_in(page, "auditor", "/access-log/?username=worker-a&kind=reveal")
        return after_password, masked, born, page.inner_text("table.entries")

    after_password, masked, born, entries = in_browser(walk)
    assert "/account/two-factor/" in after_password
    assert ID not in masked
    assert born == "1980-01-08"
    assert "worker-a" in entries
    assert "Health monitoring" in entries
    reveal = Entry.objects.get(username="worker-a", kind=Kind.REVEAL)
    assert reveal.record_ids == [person.pk]
