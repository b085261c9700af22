"""One walk through the pages in a real browser: a grid worker corrects a resident's phone.

Also leaves screenshots of the main pages at phone and desktop sizes in /tmp/wg-shots/.
"""

from pathlib import Path

import pytest

from tests.factories import DISTRICT, GRID_A, make_user
from wangge.access.models import User
from wangge.access.permissions import Role

SHOTS = Path("/tmp/wg-shots")
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
PASSWORD = "a long passphrase 1"


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{base}/")


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
            page.wait_for_selector("#map .leaflet-interactive")
            page.screenshot(path=SHOTS / f"home-{size}.png", full_page=True)
            page.goto(f"{base}/grids/{GRID_A}/")
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
