"""In a real browser at desk size: a district leader's cockpit, drilling from the district to
a street (a click on a chart's bar), a community and a grid (the units' names), then to the
events behind a number. Screenshots go to /tmp/wg-shots/cockpit-*.png."""

import pytest

from tests.cockpit.conftest import make_city
from tests.factories import COMMUNITY_1, GRID_B, STREET_1
from tests.web.conftest import in_browser
from tests.web.test_browser import PASSWORD, SHOTS, SIZES, log_in

__all__ = ["in_browser"]  # the fixture, shared with the pages' browser test

DESK = {"width": 1440, "height": 900}


def charts_drawn(page) -> None:
    page.wait_for_selector('[data-chart="series"] canvas')


def click_bar(page, chart: str, index: int) -> None:
    """Click the ``index``-th bar of the first series of ``chart``, where ECharts drew it."""
    x, y = page.evaluate("""([chart, index]) => {
        const element = document.querySelector(`[data-chart="${chart}"]`);
        element.scrollIntoView({block: "center"});
        const drawn = window.echarts.getInstanceByDom(element);
        const value = drawn.getOption().series[0].data[index].value;
        const [x, y] = drawn.convertToPixel({seriesIndex: 0}, [value / 2, index]);
        const box = element.getBoundingClientRect();
        return [box.left + x, box.top + y];
    }""", [chart, index])
    page.mouse.click(x, y)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_district_leader_drills_from_the_district_to_a_grid_and_its_events(
        in_browser, live_server):
    city = make_city()
    leader = city.loop.district
    leader.set_password(PASSWORD)
    leader.save()
    SHOTS.mkdir(exist_ok=True)
    base = live_server.url

    def walk(chromium) -> dict:
        page = chromium.new_page(viewport=DESK, locale="zh-CN")
        log_in(page, base, leader.username)
        seen = {"home": page.url}
        charts_drawn(page)
        page.screenshot(path=SHOTS / "cockpit-district-desk.png", full_page=True)
        # The street with the most overdue events is the first bar: a click opens its cockpit.
        click_bar(page, "overdue", 0)
        page.wait_for_url(f"{base}/cockpit/{STREET_1}/?*")
        charts_drawn(page)
        seen["street"] = page.inner_text("h1")
        page.click("table.units a:text('民意社区')")
        page.wait_for_url(f"{base}/cockpit/{COMMUNITY_1}/?*")
        charts_drawn(page)
        page.screenshot(path=SHOTS / "cockpit-community-desk.png", full_page=True)
        page.click("table.units a:text('民意二网格')")
        page.wait_for_url(f"{base}/cockpit/{GRID_B}/?*")
        charts_drawn(page)
        seen["grid"] = page.inner_text("h1")
        seen["trail"] = page.inner_text("nav.cockpit-trail")
        page.screenshot(path=SHOTS / "cockpit-grid-desk.png", full_page=True)
        # The number of overdue events opens the list of them.
        page.click(".kpis .attention a")
        page.wait_for_url(f"{base}/events/?*")
        seen["list"] = page.url.removeprefix(base)
        seen["events"] = page.inner_text("main")
        page.set_viewport_size(SIZES["phone"])
        page.goto(f"{base}/cockpit/")
        charts_drawn(page)
        page.screenshot(path=SHOTS / "cockpit-district-phone.png", full_page=True)
        return seen

    seen = in_browser(walk)
    assert seen["home"] == f"{base}/cockpit/"
    assert seen["street"].startswith("大智街道")
    assert seen["grid"].startswith("民意二网格")
    assert seen["trail"].split() == ["江岸区", "大智街道", "民意社区", "民意二网格"]
    assert seen["list"].startswith(f"/events/?code={GRID_B}&view=overdue&from=")
    assert city.overdue.number in seen["events"]
