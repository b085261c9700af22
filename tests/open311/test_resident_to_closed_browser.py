"""In a real browser on phone-sized screens, the whole loop from a resident's report: a
resident with no account reports on the community's page and gets a ticket number; the grid
worker finds the report in their list, accepts it and dispatches it to the department; the
department starts it and reports back; the grid worker verifies and closes it; the resident
then follows the ticket to a closed report that shows the result reported back and no one's
name or phone.
Screenshots go to /tmp/wg-shots/open311-loop-*.png."""

import pytest
from django.utils import translation

from tests.events.test_browser import (
    accept_and_dispatch,
    department_reports_back,
    verify_and_close,
)
from tests.factories import COMMUNITY_1
from tests.open311.conftest import make_public
from tests.web.conftest import in_browser
from tests.web.test_browser import PASSWORD, SHOTS, SIZES, log_in
from wangge.events.models import Channel, Event, State

__all__ = ["in_browser"]  # the fixture, shared with the pages' browser test

DESCRIPTION = "幸福里3栋楼下井盖缺失，晚上很危险"
CONTACT_NAME, CONTACT_PHONE = "王秀英", "13912345678"
FEEDBACK, VERIFICATION = "已更换新井盖并恢复通行", "现场核实，井盖已安装牢固"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_residents_report_goes_round_the_loop_to_closed(in_browser, live_server):
    public = make_public()
    loop = public.loop
    for user in (loop.worker, loop.department):
        user.set_password(PASSWORD)
        user.save()
    SHOTS.mkdir(exist_ok=True)
    base = live_server.url
    category, house, police = (str(loop.category.pk), str(public.house_a.pk),
                               str(loop.police.pk))

    def walk(chromium) -> dict:
        phone = chromium.new_context(viewport=SIZES["phone"], locale="zh-CN")
        resident = phone.new_page()
        resident.goto(f"{base}/report/{COMMUNITY_1}/")
        resident.select_option("select[name=category]", category)
        resident.select_option("select[name=building]", house)
        resident.fill("textarea[name=description]", DESCRIPTION)
        resident.fill("input[name=contact_name]", CONTACT_NAME)
        resident.fill("input[name=contact_phone]", CONTACT_PHONE)
        resident.click("form.public-report button.primary")
        resident.wait_for_selector("#state")
        number = resident.inner_text("h1 .mono")
        result = {"number": number, "message": resident.inner_text("p.message")}

        worker = chromium.new_page(viewport=SIZES["phone"], locale="zh-CN")
        log_in(worker, base, loop.worker.username)
        worker.click("a[href='/events/']")
        worker.locator("table.events a", has_text=number).click()
        worker.wait_for_selector("#state")
        event_path = worker.url.removeprefix(base)
        accept_and_dispatch(worker, police)
        department_reports_back(chromium, base, loop.department.username, event_path,
                                FEEDBACK)
        verify_and_close(worker, base, event_path, VERIFICATION)
        result["path"] = event_path

        # The resident comes back later and follows the ticket from the community's page.
        resident.goto(f"{base}/report/{COMMUNITY_1}/")
        resident.fill("#ticket", number)
        resident.click("form.follow button[type=submit]")
        resident.wait_for_selector("#state")
        resident.screenshot(path=SHOTS / "open311-loop-closed-phone.png", full_page=True)
        result.update(url=resident.url, state=resident.inner_text("#state"),
                      steps=resident.locator("ol.timeline li p:last-child").all_inner_texts(),
                      html=resident.content())
        phone.close()
        return result

    seen = in_browser(walk)
    event = Event.objects.get()
    assert (event.channel, event.reporter, event.building) == (Channel.PUBLIC, None,
                                                               public.house_a)
    assert event.state == State.CLOSED
    assert (event.public_report.contact_name, event.public_report.contact_phone) == (
        CONTACT_NAME, CONTACT_PHONE)  # kept for the staff, and below: never shown publicly
    assert seen["number"] == event.ticket
    assert event.ticket in seen["message"]
    assert seen["path"] == f"/events/{event.pk}/"
    assert list(event.transitions.values_list("actor__username", flat=True)) == [
        None, "worker-a", "worker-a", "police-desk", "police-desk", "worker-a", "worker-a"]
    assert seen["url"] == f"{base}/report/ticket/{event.ticket}/"
    with translation.override("zh-hans"):  # the browser asks for zh-CN
        assert seen["state"] == str(State.CLOSED.label)
        assert seen["steps"] == [str(state.label) for state in (
            State.REPORTED, State.ACCEPTED, State.DISPATCHED, State.HANDLING, State.FEEDBACK,
            State.VERIFIED, State.CLOSED)]
    for private in (CONTACT_NAME, CONTACT_PHONE, DESCRIPTION, VERIFICATION,
                    loop.worker.username, loop.department.username):
        assert private not in seen["html"]
    # The result the department reported back (its form says the resident reads it).
    assert FEEDBACK in seen["html"]
