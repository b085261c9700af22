"""In a real browser at phone size (390×844): a district administrator opens the risk map,
drills from the district to a street, a community and a grid (the areas' names), sees the
high building drawn in red, taps it and reads why, then opens the building. Screenshots go to
/tmp/wg-shots/risk-*.png (and the community at desk size)."""

import pytest

from tests.factories import COMMUNITY_1, GRID_A, STREET_1
from tests.risk.map_world import case_words, make_city
from tests.web.conftest import in_browser
from tests.web.test_browser import PASSWORD, SHOTS, SIZES, log_in

__all__ = ["in_browser"]  # the fixture, shared with the pages' browser test

RED = "#b3261e"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_high_building_shows_red_on_the_map_with_its_reason(in_browser, live_server):
    city = make_city()
    leader = city.district
    leader.set_password(PASSWORD)
    leader.save()
    SHOTS.mkdir(exist_ok=True)
    base = live_server.url

    def walk(chromium) -> dict:
        page = chromium.new_page(viewport=SIZES["phone"], locale="zh-CN", is_mobile=True,
                                 has_touch=True)
        log_in(page, base, leader.username)
        page.goto(f"{base}/risk/")
        page.wait_for_selector('[data-chart="trend-building"] canvas')
        page.wait_for_selector("#risk-map .risk-building.level-2")
        seen = {"district": page.inner_text("h1"),
                "width": page.evaluate("document.documentElement.scrollWidth")}
        page.screenshot(path=SHOTS / "risk-district-phone.png", full_page=True)
        page.click(f"table.areas a[href='/risk/{STREET_1}/']")
        page.wait_for_url(f"{base}/risk/{STREET_1}/")
        page.click(f"table.areas a[href='/risk/{COMMUNITY_1}/']")
        page.wait_for_url(f"{base}/risk/{COMMUNITY_1}/")
        page.screenshot(path=SHOTS / "risk-community-phone.png", full_page=True)
        page.click(f"table.areas a[href='/risk/{GRID_A}/']")
        page.wait_for_url(f"{base}/risk/{GRID_A}/")
        seen["trail"] = page.inner_text("nav.risk-trail")
        marker = page.wait_for_selector("#risk-map path.risk-building.level-2")
        seen["fill"] = marker.get_attribute("fill")
        seen["low_fill"] = page.get_attribute("#risk-map path.risk-building.level-0", "fill")
        marker.scroll_into_view_if_needed()
        marker.click()
        popup = page.wait_for_selector(".leaflet-popup-content .map-popup")
        seen["popup"] = popup.inner_text()
        page.wait_for_timeout(400)  # the popup's fade
        page.screenshot(path=SHOTS / "risk-grid-phone.png", full_page=False)
        page.click(".leaflet-popup-content a")
        page.wait_for_url(f"{base}/buildings/{city.high.pk}/")
        seen["building"] = page.inner_text(".building-risk")
        page.screenshot(path=SHOTS / "risk-building-phone.png", full_page=True)
        desk = chromium.new_page(viewport=SIZES["desktop"], locale="zh-CN")
        log_in(desk, base, leader.username)
        desk.goto(f"{base}/risk/{COMMUNITY_1}/")
        desk.wait_for_selector('[data-chart="areas"] canvas')
        desk.screenshot(path=SHOTS / "risk-community-desktop.png", full_page=True)
        return seen

    seen = in_browser(walk)
    assert seen["district"].startswith("江岸区")
    assert seen["width"] <= SIZES["phone"]["width"]  # nothing wider than the phone
    assert seen["trail"].split() == ["江岸区", "大智街道", "民意社区", "民意一网格"]
    assert seen["fill"] == RED
    assert seen["low_fill"] != RED
    assert "3栋" in seen["popup"]
    assert "高风险" in seen["popup"] or "High risk" in seen["popup"]  # (until translated)
    assert case_words("zh-hans") in seen["popup"]
    assert case_words("zh-hans") in seen["building"]
