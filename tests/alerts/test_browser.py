"""In a real browser at phone size: community staff publish an exercise for a participant;
the alert's page is marked as an exercise and draws the affected grids on its map; the
participant finds it in their inbox; no page scrolls sideways. Screenshots go to
/tmp/wg-shots/alerts-*.png."""

import pytest

from tests.alerts.conftest import INFO, make_world
from tests.web.conftest import in_browser
from tests.web.test_browser import PASSWORD, SHOTS, SIZES, log_in
from wangge.alerts.models import Alert

__all__ = ["in_browser"]

FITS = "document.documentElement.scrollWidth <= window.innerWidth + 1"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_exercise_published_and_seen_on_phones(in_browser, live_server, settings):
    settings.LANGUAGE_CODE = "en"
    world = make_world()
    for user in (world.staff, world.volunteer):
        user.set_password(PASSWORD)
        user.save()
    SHOTS.mkdir(exist_ok=True)
    base = live_server.url

    def walk(chromium) -> dict:
        staff = chromium.new_page(viewport=SIZES["phone"], locale="en")
        log_in(staff, base, world.staff.username)
        staff.goto(f"{base}/alerts/new/")
        for name in ("event", "headline", "description", "instruction"):
            staff.fill(f"[name={name}]", INFO[name])
        for name in ("category", "urgency", "severity", "certainty"):
            staff.select_option(f"select[name={name}]", INFO[name])
        staff.select_option("select[name=status]", "Exercise")
        for grid in world.grids:
            staff.check(f"input[name=grids][value='{grid.pk}']")
        staff.check(f"input[name=participants][value='{world.volunteer.pk}']")
        staff.fill("[name=reason]", "防汛演练")
        staff.click("form.form button[type=submit]")
        staff.wait_for_selector(".alert-area .leaflet-interactive, .alert-area path")
        paths = staff.locator(".alert-area path").count()
        heading = staff.inner_text("h1")
        fits = staff.evaluate(FITS)
        staff.screenshot(path=str(SHOTS / "alerts-exercise.png"), full_page=True)
        participant = chromium.new_page(viewport=SIZES["phone"], locale="en")
        log_in(participant, base, world.volunteer.username)
        participant.goto(f"{base}/inbox/")
        inbox = participant.inner_text("main")
        participant.screenshot(path=str(SHOTS / "alerts-inbox.png"), full_page=True)
        return {"paths": paths, "heading": heading, "fits": fits, "inbox": inbox}

    seen = in_browser(walk)
    assert Alert.objects.get().status == "Exercise"
    assert seen["paths"] == len(world.grids)
    assert "[Exercise] 暴雨橙色预警" in seen["heading"]
    assert "[Exercise]" in seen["inbox"]
    assert seen["fits"]
