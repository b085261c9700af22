"""In a real browser: a grid worker reveals a full ID after giving a purpose (htmx, no inline
script), and the auditor finds that read in the log. (Two-factor sign-in joins this walk when
it exists.)"""

import pytest
from playwright.sync_api import expect

from tests.factories import GRID_A, STREET_1, make_person, make_user
from tests.web.conftest import in_browser
from tests.web.test_browser import PASSWORD, log_in
from wangge.access.permissions import Role

__all__ = ["in_browser"]
ID = "42010219800108123X"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_reveal_after_a_purpose_is_found_by_the_auditor(in_browser, live_server, world):
    person = make_person(GRID_A, name="甲居民", id_number=ID)
    for role, code, name in ((Role.GRID_WORKER, GRID_A, "worker-a"),
                             (Role.AUDITOR, STREET_1, "auditor")):
        user = make_user(role, code, username=name)
        user.set_password(PASSWORD)
        user.save()
    base = live_server.url

    def walk(chromium) -> tuple[str, str, str]:
        page = chromium.new_page(locale="en-US")
        log_in(page, base, "worker-a")
        page.goto(f"{base}/people/{person.pk}/")
        masked = page.inner_text("#id-number")
        page.click("#id-number a")
        page.wait_for_selector("#id-number input[name=purpose]")
        page.check("#id-number input[name=purpose][value=health]")
        page.click("#id-number button[type=submit]")
        expect(page.locator("#id-number")).to_contain_text(ID)
        born = page.inner_text("#birth-date")
        page.close()

        page = chromium.new_page(locale="en-US")
        log_in(page, base, "auditor")
        page.goto(f"{base}/access-log/?username=worker-a&kind=reveal")
        return masked, born, page.inner_text("table.entries")

    masked, born, entries = in_browser(walk)
    assert ID not in masked
    assert born == "1980-01-08"
    assert "worker-a" in entries
    assert "Health monitoring" in entries
