"""One walk through the pages in a real browser: a grid worker corrects a resident's phone.

Also leaves screenshots of the main pages at phone and desktop sizes in /tmp/wg-shots/.
"""

import base64
import time
from pathlib import Path

import pytest
from django_otp.oath import hotp

from tests.factories import DISTRICT, GRID_A, make_user
from wangge.access.models import User
from wangge.foundation.permissions import Role

SHOTS = Path("/tmp/wg-shots")
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
PASSWORD = "a long passphrase 1"


def log_in(page, base: str, username: str) -> None:
    """Sign in through the login page; a role that needs a second factor enrols (reading the
    key off the page) or types the code, as a person with an authenticator app would."""
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.form button[type=submit]")
    # Home: community, street and district land on the cockpit.
    homes = (f"{base}/", f"{base}/cockpit/")
    page.wait_for_url(lambda url: url.startswith((f"{base}/?", f"{base}/account/two-factor/"))
                      or url in homes)
    if "/account/two-factor/" in page.url:
        if page.locator("#totp-secret").count():
            SECRETS[username] = page.inner_text("#totp-secret")
        page.fill("input[name=code]", authenticator_code(username))
        page.click("form.form button[type=submit]")
        page.wait_for_url(lambda url: url in homes)


def go_by_menu(page, href: str) -> None:
    """Follow the navigation's link to ``href``: on a phone, first open "More" when the link
    waits there rather than in the tab bar."""
    link = page.locator(f"nav.nav a[href='{href}']")
    if not link.is_visible():
        page.click("nav.nav a.more-tab")
    link.click()


# The keys the authenticator "app" of log_in holds, and the last time step it showed: a code is
# accepted once, so a second sign-in within the same 30 seconds takes the next step's code
# (django-otp accepts one step of drift).
SECRETS: dict[str, str] = {}
_LAST_STEP: dict[str, int] = {}


def authenticator_code(username: str) -> str:
    key = base64.b32decode(SECRETS[username])
    step = max(int(time.time()) // 30, _LAST_STEP.get(username, -1) + 1)
    while step > int(time.time()) // 30 + 1:
        time.sleep(1)  # a third sign-in in one step waits for the clock
    _LAST_STEP[username] = step
    return f"{hotp(key, step):06d}"  # TOTP is HOTP of the time step


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_grid_worker_corrects_a_phone_and_sees_it_in_the_history(in_browser, live_server,
                                                                  residents, grid_worker):
    grid_worker.set_password(PASSWORD)
    grid_worker.save()
    person, base, username = residents["a"], live_server.url, grid_worker.username
    SHOTS.mkdir(exist_ok=True)

    def walk(chromium) -> str:
        for size, viewport in SIZES.items():
            page = chromium.new_page(viewport=viewport, locale="zh-CN")
            log_in(page, base, username)
            page.wait_for_selector("#tasks-overdue")  # a grid worker's home: the to-do list
            page.screenshot(path=SHOTS / f"home-{size}.png", full_page=True)
            page.goto(f"{base}/grids/{GRID_A}/")
            page.wait_for_selector("#map .leaflet-interactive")
            page.screenshot(path=SHOTS / f"grid-{size}.png", full_page=True)
            page.goto(f"{base}/people/{person.pk}/edit/")
            page.fill("input[name=phone]", "12345")
            page.fill("input[name=reason]", "更正电话")
            page.click("form.form button.primary")
            page.wait_for_selector("#id_phone_error")
            page.screenshot(path=SHOTS / f"edit-errors-{size}.png", full_page=True)
            page.close()

        page = chromium.new_page(viewport=SIZES["phone"], locale="zh-CN")
        log_in(page, base, username)
        page.goto(f"{base}/people/")
        page.fill("input[name=q]", "甲")
        # htmx swaps the results in as one types.
        page.wait_for_selector(f"#results a[href='/people/{person.pk}/']").click()
        page.click(f"a[href='/people/{person.pk}/edit/']")
        page.fill("input[name=phone]", "13900001111")
        page.fill("input[name=reason]", "电话停机，入户核实")
        page.click("form.form button.primary")
        page.wait_for_url(f"{base}/people/{person.pk}/")
        page.screenshot(path=SHOTS / "person-phone.png", full_page=True)
        page.set_viewport_size(SIZES["desktop"])
        page.screenshot(path=SHOTS / "person-desktop.png", full_page=True)
        return page.inner_text("ol.history")

    history = in_browser(walk)
    assert "电话停机，入户核实" in history
    assert "13812345678" in history
    assert "13900001111" in history
    assert User.objects.get(pk=grid_worker.pk).username in history
    person.refresh_from_db()
    assert person.phone == "13900001111"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_back_office_and_the_api_docs_run_under_the_content_security_policy(
        in_browser, live_server, residents):
    """Django's admin and the Swagger UI are others' pages; the policy must not break them."""
    admin = make_user(Role.DISTRICT_ADMIN, DISTRICT, username="district-admin")
    admin.set_password(PASSWORD)
    admin.save()
    base = live_server.url

    def walk(chromium) -> tuple[str, str]:
        page = chromium.new_page(viewport=SIZES["desktop"])
        log_in(page, base, admin.username)
        page.goto(f"{base}/admin/people/person/")
        page.wait_for_selector("#result_list")
        page.click("#result_list tbody a")
        page.wait_for_selector("#person_form")
        name = page.input_value("#id_name")
        page.goto(f"{base}/api/v1/docs")
        page.wait_for_selector(".swagger-ui .opblock")
        return name, page.inner_text(".swagger-ui .info")

    name, docs = in_browser(walk)
    assert name in {residents["a"].name, residents["b"].name}
    assert "wangge" in docs.lower()
