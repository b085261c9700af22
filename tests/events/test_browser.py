"""In a real browser, on a phone-sized screen: a grid worker files an event with a photo,
accepts and dispatches it; the department handles it and reports back; the grid worker
verifies on the spot and closes it. Screenshots go to /tmp/wg-shots/events-*.png."""

import pytest
from django.utils import translation

from tests.events.conftest import make_loop
from tests.events.test_photos import camera_jpeg
from tests.factories import GRID_A, centre_of
from tests.web.conftest import in_browser
from tests.web.test_browser import PASSWORD, SHOTS, SIZES, log_in
from wangge.events.models import Event, State

__all__ = ["in_browser"]  # the fixture, shared with the pages' browser test


def act(page, action: str, comment: str = "") -> None:
    """Take ``action`` on the event open on ``page`` and wait for the page to say so."""
    form = page.locator(f"form[data-action={action}]")
    if comment:
        form.locator("textarea[name=comment]").fill(comment)
    form.locator("button[type=submit]").click()
    page.wait_for_selector("p.message")


def accept_and_dispatch(page, organization: str) -> None:
    """Accept the event open on ``page`` and dispatch it to ``organization`` (its pk)."""
    act(page, "accept")
    form = page.locator("form[data-action=dispatch]")
    form.locator("select[name=organization]").select_option(organization)
    form.locator("button[type=submit]").click()
    page.wait_for_selector("p.message")


def department_reports_back(chromium, base: str, username: str, event_path: str,
                            feedback: str):
    """The department's user opens the event from the inbox, starts it and reports back;
    their page comes back."""
    department = chromium.new_page(viewport=SIZES["phone"], locale="zh-CN")
    log_in(department, base, username)
    department.click("a[href='/inbox/']")
    department.click(f"a[href='{event_path}']")
    act(department, "start")
    act(department, "feedback", feedback)
    return department


def verify_and_close(page, base: str, event_path: str, comment: str) -> None:
    """The grid worker verifies the event on the spot and closes it, in one step."""
    page.goto(base + event_path)
    act(page, "verify_close", comment)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_event_goes_round_the_loop_to_closed(in_browser, live_server, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    loop = make_loop()
    for user in (loop.worker, loop.department):
        user.set_password(PASSWORD)
        user.save()
    SHOTS.mkdir(exist_ok=True)
    base = live_server.url
    lon, lat = centre_of(GRID_A)
    photo = tmp_path / "manhole.jpg"
    photo.write_bytes(camera_jpeg())
    category, police = str(loop.category.pk), str(loop.police.pk)

    def walk(chromium) -> dict:
        worker = chromium.new_page(viewport=SIZES["phone"], locale="zh-CN")
        log_in(worker, base, loop.worker.username)
        worker.click("a[href='/events/']")
        worker.click("a[href='/events/new/']")
        worker.select_option("select[name=category]", category)
        worker.select_option("select[name=priority]", "high")
        worker.fill("textarea[name=description]", "幸福路 3 号门口井盖缺失，已设临时围挡")
        worker.fill("input[name=longitude]", str(lon))
        worker.fill("input[name=latitude]", str(lat))
        worker.set_input_files("input[name=photos]", str(photo))
        worker.screenshot(path=SHOTS / "events-report-phone.png", full_page=True)
        worker.click("form.report button.primary")
        worker.wait_for_selector("#state")
        event_path = worker.url.removeprefix(base)
        worker.wait_for_selector(".photos img")
        accept_and_dispatch(worker, police)
        dispatched = worker.inner_text("#state")

        department = department_reports_back(chromium, base, loop.department.username,
                                             event_path, "已更换新井盖并恢复通行")
        department.screenshot(path=SHOTS / "events-department-phone.png", full_page=True)

        verify_and_close(worker, base, event_path, "现场核实，井盖已安装牢固")
        worker.screenshot(path=SHOTS / "events-closed-phone.png", full_page=True)
        result = {"path": event_path, "dispatched": dispatched,
                  "timeline": worker.inner_text("ol.timeline")}
        worker.goto(f"{base}/events/?view=closed")
        worker.screenshot(path=SHOTS / "events-list-phone.png", full_page=True)
        return result

    result = in_browser(walk)
    event = Event.objects.get()
    assert result["path"] == f"/events/{event.pk}/"
    with translation.override("zh-hans"):  # the browser asks for zh-CN
        assert result["dispatched"] == str(State.DISPATCHED.label)
    assert event.state == State.CLOSED
    assert event.photos.count() == 1
    assert list(event.transitions.values_list("actor__username", flat=True)) == [
        "worker-a", "worker-a", "worker-a", "police-desk", "police-desk", "worker-a",
        "worker-a"]
    assert "已更换新井盖并恢复通行" in result["timeline"]
    assert "现场核实，井盖已安装牢固" in result["timeline"]
