"""In a real browser on a phone-sized screen: a grid worker starts a patrol, finds a building
with the search, checks it off (htmx), records a finding and ends the patrol. Screenshots go
to /tmp/wg-shots/patrols-*.png."""

import pytest
from playwright.sync_api import expect

from tests.patrols.conftest import make_beat
from tests.web.conftest import in_browser
from tests.web.test_browser import PASSWORD, SHOTS, SIZES, log_in
from wangge.events.models import Event
from wangge.patrols.models import Patrol

__all__ = ["in_browser"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_patrol_on_a_phone(in_browser, live_server):
    beat = make_beat()
    beat.worker.set_password(PASSWORD)
    beat.worker.save()
    SHOTS.mkdir(exist_ok=True)
    base, shop, category = live_server.url, beat.shop.pk, str(beat.category.pk)

    def walk(chromium) -> None:
        page = chromium.new_page(viewport=SIZES["phone"], locale="zh-CN")
        log_in(page, base, beat.worker.username)
        page.click("a[href='/patrols/']")
        page.screenshot(path=SHOTS / "patrols-start-phone.png", full_page=True)
        page.click("form.start button.primary")
        page.wait_for_selector("#checklist")
        page.fill("#building-search", "商铺")
        expect(page.locator("#checklist li")).to_have_count(1)
        page.click(f"#building-{shop} button.check")
        page.wait_for_selector(f"#building-{shop}.visited")
        page.wait_for_selector("#visit-count:has-text('1 / 3')")
        page.fill("#building-search", "")
        expect(page.locator("#checklist li")).to_have_count(3)
        page.screenshot(path=SHOTS / "patrols-checklist-phone.png", full_page=True)
        page.click(f"#building-{shop} a.finding")
        page.select_option("select[name=category]", category)
        page.fill("textarea[name=description]", "商铺门前消防通道被杂物堵塞")
        page.screenshot(path=SHOTS / "patrols-finding-phone.png", full_page=True)
        page.click("form.report button.primary")
        page.wait_for_selector("p.message")
        page.click(".patrol-actions form button.primary")
        page.wait_for_selector("p.message")
        page.screenshot(path=SHOTS / "patrols-ended-phone.png", full_page=True)

    in_browser(walk)
    patrol = Patrol.objects.get()
    assert not patrol.is_open
    assert list(patrol.visits.values_list("building__name", flat=True)) == ["2栋商铺"]
    assert Event.objects.get().patrol_finding.patrol == patrol
