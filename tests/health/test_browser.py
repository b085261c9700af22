"""In a real browser at phone size: a resident scans the building's poster (its check-in QR),
says who they are, checks in with a fever and a cough and sees the receipt; the grid worker
finds the event in their list and the resident among those needing attention in the grid's
day. Screenshots go to /tmp/wg-shots/health-*.png."""

import pytest

from tests.factories import GRID_A
from tests.health.conftest import make_town
from tests.web.conftest import in_browser
from tests.web.test_browser import PASSWORD, SHOTS, SIZES, log_in
from wangge.events.models import Event
from wangge.health.models import CheckIn

__all__ = ["in_browser"]  # the fixture, shared with the pages' browser test


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_resident_checks_in_with_a_fever_and_the_grid_worker_sees_the_event(
        in_browser, live_server):
    town = make_town()
    town.worker.set_password(PASSWORD)
    town.worker.save()
    SHOTS.mkdir(exist_ok=True)
    base = live_server.url
    last_four = town.neighbour.id_number[-4:]

    def walk(chromium) -> dict:
        worker = chromium.new_page(viewport=SIZES["phone"], locale="zh-CN")
        log_in(worker, base, town.worker.username)
        worker.goto(f"{base}/report/poster/{town.building.pk}/")
        worker.screenshot(path=SHOTS / "health-poster.png", full_page=True)
        link = worker.get_attribute(".check-in-poster .poster-url a", "href")

        phone = chromium.new_context(viewport=SIZES["phone"], locale="zh-CN")
        resident = phone.new_page()
        resident.goto(link)
        resident.fill("input[name=name]", "王芳")
        resident.fill("input[name=last_four]", last_four)
        resident.screenshot(path=SHOTS / "health-identify.png", full_page=True)
        resident.click("form.checkin button.primary")
        resident.wait_for_selector(f"input[name=temperature-{town.neighbour.pk}]")
        resident.fill(f"input[name=temperature-{town.neighbour.pk}]", "38.5")
        resident.check(f"input[name=symptoms-{town.neighbour.pk}][value=cough]")
        resident.screenshot(path=SHOTS / "health-answers.png", full_page=True)
        resident.click("form.checkin button.primary")
        resident.wait_for_selector("section.receipt")
        resident.screenshot(path=SHOTS / "health-receipt.png", full_page=True)
        receipt = resident.inner_text("section.receipt")

        worker.goto(f"{base}/events/")
        worker.screenshot(path=SHOTS / "health-events.png", full_page=True)
        events = worker.inner_text("main")
        worker.goto(f"{base}/health/grids/{GRID_A}/")
        worker.screenshot(path=SHOTS / "health-grid.png", full_page=True)
        day = worker.inner_text("main")
        desk = chromium.new_page(viewport=SIZES["desktop"], locale="zh-CN")
        log_in(desk, base, town.worker.username)
        desk.goto(f"{base}/health/")
        desk.screenshot(path=SHOTS / "health-home-desk.png", full_page=True)
        return {"receipt": receipt, "events": events, "day": day}

    seen = in_browser(walk)
    assert "王芳" in seen["receipt"]
    event = Event.objects.get()
    assert event.category.code == "health-check-in"
    assert event.number in seen["events"]
    assert "王芳" in seen["day"]
    assert CheckIn.objects.get().temperature == 38.5
