"""In a real browser at phone size: a grid worker finds the older person living alone who
is due a visit on their to-do home, records the visit in one screen ("needs help", a note),
and the event it opened waits in their list to accept; no page scrolls sideways.
Screenshots go to /tmp/wg-shots/care-*.png."""

import datetime

import pytest
from django.utils import timezone

from tests import factories
from tests.factories import GRID_A, SYSTEM, make_person, make_user
from tests.web.conftest import in_browser
from tests.web.test_browser import PASSWORD, SHOTS, SIZES, log_in
from wangge.care.models import CareVisit, Outcome
from wangge.events.models import Event, State
from wangge.foundation.permissions import Role
from wangge.populations.models import Population
from wangge.populations.services import circumstance_save

__all__ = ["in_browser"]

FITS = "document.documentElement.scrollWidth <= window.innerWidth + 1"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_visit_to_an_older_person_living_alone_who_needs_help(in_browser, live_server,
                                                                settings):
    settings.LANGUAGE_CODE = "en"
    factories.make_divisions()
    factories.shipped_rows("populations.migrations.0002_shipped_populations",
                           "care.migrations.0002_shipped_rules")
    worker = make_user(Role.GRID_WORKER, GRID_A, username="worker-a")
    worker.set_password(PASSWORD)
    worker.save()
    older = make_person(GRID_A, "王秀英")
    circumstance_save(person=older, population=Population.objects.get(key="older_people"),
                      values={"living_situation": "alone"}, by=SYSTEM, reason="走访登记",
                      since=timezone.localdate() - datetime.timedelta(days=9))
    SHOTS.mkdir(exist_ok=True)
    base = live_server.url

    def walk(chromium) -> dict:
        page = chromium.new_page(viewport=SIZES["phone"], locale="en")
        log_in(page, base, worker.username)
        page.goto(f"{base}/")
        page.wait_for_selector("#tasks-care")
        fits = {"home": page.evaluate(FITS)}
        page.screenshot(path=SHOTS / "care-home.png", full_page=True)
        page.click(f"#tasks-care a[href='/care/visits/{older.pk}/']")
        page.wait_for_url(f"**/care/visits/{older.pk}/")
        page.check(f"input[name=outcome][value={Outcome.NEEDS_HELP}]")
        page.fill("textarea[name=note]", "药吃完了，腿脚不便，需要有人送药")
        fits["visit"] = page.evaluate(FITS)
        page.screenshot(path=SHOTS / "care-visit.png", full_page=True)
        page.click("form.form button.primary")
        page.wait_for_url("**/care/visits/")
        message = page.inner_text("p.message")
        fits["visits"] = page.evaluate(FITS)
        page.goto(f"{base}/")
        page.wait_for_selector("#tasks-to_accept")
        fits["after"] = page.evaluate(FITS)
        page.screenshot(path=SHOTS / "care-home-after.png", full_page=True)
        return {"fits": fits, "message": message, "care": page.locator("#tasks-care").count(),
                "to_accept": page.inner_text("#tasks-to_accept")}

    walked = in_browser(walk)
    assert all(walked["fits"].values()), walked["fits"]
    event = Event.objects.get()
    visit = CareVisit.objects.get()
    assert (visit.person, visit.outcome, visit.event, visit.visitor) == (
        older, Outcome.NEEDS_HELP, event, worker)
    assert (event.state, event.category.code) == (State.REPORTED, "elderly-alone")
    assert event.number in walked["message"]
    assert walked["care"] == 0  # visited: no longer due
    assert event.category.name in walked["to_accept"]
    assert "王秀英" in walked["to_accept"]
