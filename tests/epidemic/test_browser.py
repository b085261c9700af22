"""In a real browser at phone size: the grid worker opens the event a fever check-in opened,
records a confirmed case from it, and traces the household. Screenshots go to
/tmp/wg-shots/epidemic-*.png."""

import pytest
from django.utils import timezone

from tests.health.conftest import make_town
from tests.web.conftest import in_browser
from tests.web.test_browser import PASSWORD, SHOTS, SIZES, log_in
from wangge.epidemic.models import Case, Exposure
from wangge.events.models import Event
from wangge.health.models import CheckInChannel, EnteredBy
from wangge.health.services import answer_checked, check_in_record

__all__ = ["in_browser"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_grid_worker_records_a_case_from_the_alerts_event(in_browser, live_server):
    town = make_town()
    town.worker.set_password(PASSWORD)
    town.worker.save()
    check_in_record(person=town.head, answer=answer_checked(temperature="38.6"),
                    entered_by=EnteredBy.GRID_WORKER, channel=CheckInChannel.PAGE,
                    by=town.worker)
    event = Event.objects.get()
    SHOTS.mkdir(exist_ok=True)
    base, today = live_server.url, timezone.localdate().isoformat()

    def walk(chromium) -> dict:
        worker = chromium.new_page(viewport=SIZES["phone"], locale="zh-CN")
        log_in(worker, base, town.worker.username)
        worker.goto(f"{base}/events/{event.pk}/")
        worker.screenshot(path=SHOTS / "epidemic-event.png", full_page=True)
        worker.click("p.offers a")
        worker.select_option("select[name=status]", "confirmed")
        worker.fill("input[name=reported_on]", today)
        worker.fill("input[name=confirmed_on]", today)
        worker.screenshot(path=SHOTS / "epidemic-record.png", full_page=True)
        worker.click("#record-case")
        worker.wait_for_selector("#case-status")
        worker.click("#trace")
        worker.wait_for_selector("ul.contacts")
        worker.screenshot(path=SHOTS / "epidemic-case.png", full_page=True)
        return {"url": worker.url, "main": worker.inner_text("main")}

    seen = in_browser(walk)
    case = Case.objects.get()
    assert seen["url"].endswith(f"/epidemic/cases/{case.pk}/")
    assert (case.person, case.status, case.source) == (town.head, "confirmed", "check_in")
    assert "李娜" in seen["main"]
    assert Exposure.objects.filter(case=case).count() == 3
