"""The issue's walk, in a real browser at phone size: a resident checks in with a fever from
the building's poster, the grid worker sees the event, records a confirmed case from it, and
sees the building turn high on the risk map with its reason. Screenshots go to
/tmp/wg-shots/journey-*.png."""

import pytest
from django.utils import timezone, translation

from tests.factories import GRID_A
from tests.health.conftest import make_town
from tests.web.conftest import in_browser
from tests.web.test_browser import PASSWORD, SHOTS, SIZES, log_in
from wangge.events.models import Event
from wangge.risk.display import reasons_text
from wangge.risk.models import Grade, Level, RuleSet, RuleSetStatus, SubjectKind
from wangge.risk.rules import DEFAULT_RULES

__all__ = ["in_browser"]  # the fixture, shared with the pages' browser test

RED = "#b3261e"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_fever_check_in_becomes_a_case_and_the_building_turns_high(in_browser, live_server):
    town = make_town()
    town.worker.set_password(PASSWORD)
    town.worker.save()
    # A transactional test starts from an emptied database: the default rules put back.
    RuleSet.objects.get_or_create(version=1, defaults={"status": RuleSetStatus.IN_FORCE,
                                                       "rules": DEFAULT_RULES})
    SHOTS.mkdir(exist_ok=True)
    base, today = live_server.url, timezone.localdate().isoformat()

    def walk(chromium) -> dict:
        worker = chromium.new_page(viewport=SIZES["phone"], locale="zh-CN")
        log_in(worker, base, town.worker.username)
        worker.goto(f"{base}/report/poster/{town.building.pk}/")
        link = worker.get_attribute(".check-in-poster .poster-url a", "href")

        resident = chromium.new_context(viewport=SIZES["phone"], locale="zh-CN").new_page()
        resident.goto(link)
        resident.fill("input[name=name]", "王芳")
        resident.fill("input[name=last_four]", town.neighbour.id_number[-4:])
        resident.click("form.checkin button.primary")
        resident.fill(f"input[name=temperature-{town.neighbour.pk}]", "38.7")
        resident.click("form.checkin button.primary")
        resident.wait_for_selector("section.receipt")
        resident.screenshot(path=SHOTS / "journey-receipt.png", full_page=True)

        worker.goto(f"{base}/events/")
        worker.click("table.events td.main a")
        worker.wait_for_selector("p.offers a")
        worker.screenshot(path=SHOTS / "journey-event.png", full_page=True)
        worker.click("p.offers a")
        worker.select_option("select[name=status]", "confirmed")
        worker.fill("input[name=reported_on]", today)
        worker.fill("input[name=confirmed_on]", today)
        worker.click("#record-case")
        worker.wait_for_selector("#case-status")
        worker.screenshot(path=SHOTS / "journey-case.png", full_page=True)

        worker.goto(f"{base}/risk/{GRID_A}/")
        marker = worker.wait_for_selector("#risk-map path.risk-building.level-2")
        seen = {"fill": marker.get_attribute("fill")}
        marker.scroll_into_view_if_needed()
        marker.click()
        seen["popup"] = worker.wait_for_selector(
            ".leaflet-popup-content .map-popup").inner_text()
        worker.wait_for_timeout(400)  # the popup's fade
        worker.screenshot(path=SHOTS / "journey-map.png", full_page=False)
        seen["page"] = worker.inner_text("main")
        return seen

    seen = in_browser(walk)
    assert Event.objects.get().check_in_alert.person == town.neighbour
    building = Grade.objects.get(kind=SubjectKind.BUILDING, key=str(town.building.pk))
    assert building.level == Level.HIGH
    assert seen["fill"] == RED
    assert "1栋" in seen["popup"]
    with translation.override("zh-hans"):
        reasons = reasons_text(building.reasons)
    assert reasons
    assert all(reason in seen["popup"] for reason in reasons)
    assert "高风险" in seen["popup"]
