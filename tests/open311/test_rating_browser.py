"""In a real browser at phone size: a resident rates a closed report. Signed in, their home
lists what they reported and asks them to rate the closed one; the status page shows what
was done, with the photo taken after, and the rating. Not satisfied, the report opens again,
one level up; closed again, a second "not satisfied" is recorded and opens it no more.
Screenshots go to /tmp/wg-shots/rating-*.png."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from tests.events.test_photos import camera_jpeg
from tests.factories import COMMUNITY_1, GRID_A, make_user
from tests.open311.conftest import make_public
from tests.web.conftest import in_browser
from tests.web.test_browser import PASSWORD, SHOTS, SIZES, log_in
from wangge.events.models import Event, EventRating, State
from wangge.events.services import event_transition
from wangge.foundation.permissions import Role
from wangge.open311.services import public_report_file

__all__ = ["in_browser"]  # the fixture, shared with the pages' browser test

FEEDBACK = "已更换新井盖并恢复通行"


def round_the_loop(loop, event: Event) -> Event:
    """Accept (when it is new), dispatch, handle (the result with a photo) and close
    ``event``."""
    steps = [("accept", loop.worker)] if event.state == State.REPORTED else []
    for name, by in [*steps, ("dispatch", loop.worker), ("start", loop.department),
                     ("feedback", loop.department), ("verify_close", loop.worker)]:
        photos = ([SimpleUploadedFile("after.jpg", camera_jpeg(), "image/jpeg")]
                  if name == "feedback" else [])
        event = event_transition(event=event, name=name, by=by, comment=FEEDBACK,
                                 organization=loop.police, photos=photos)
    return event


def rate(page, choice: str, words: str) -> None:
    page.check(f"form#rate input[value={choice}]")
    page.fill("form#rate textarea[name=comment]", words)
    page.click("form#rate button[type=submit]")
    page.wait_for_selector("p.message")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_resident_rates_a_closed_report(in_browser, live_server, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    public = make_public()
    loop = public.loop
    resident = make_user(Role.RESIDENT, GRID_A, username="resident-a")
    resident.set_password(PASSWORD)
    resident.save()
    event = public_report_file(prefix=COMMUNITY_1[:9], category=loop.category,
                               description="楼下井盖缺失", building=public.house_a,
                               contact_phone="13912345678", resident=resident)
    event = round_the_loop(loop, event)
    base = live_server.url
    SHOTS.mkdir(exist_ok=True)

    def walk(chromium) -> dict:
        page = chromium.new_page(viewport=SIZES["phone"], locale="zh-CN")
        log_in(page, base, resident.username)
        seen = {"home": page.inner_text("main"), "badge": page.inner_text("#waiting-count"),
                "report_tab": page.get_attribute("nav.nav a.tab:nth-child(2)", "href")}
        page.screenshot(path=SHOTS / "rating-home-phone.png", full_page=True)
        page.locator(".task-list a", has_text=event.ticket).click()
        page.wait_for_selector("form#rate")
        seen["feedback"] = page.inner_text("#feedback")
        page.wait_for_function("() => document.querySelector('.result .photos img')"
                               ".naturalWidth > 0")
        seen["photo"] = page.evaluate(
            "document.querySelector('.result .photos img').naturalWidth")
        page.screenshot(path=SHOTS / "rating-status-phone.png", full_page=True)
        rate(page, "unsatisfied", "井盖还是松的")
        seen["reopened_state"] = page.inner_text("#state")
        seen["form_after"] = page.locator("form#rate").count()
        page.screenshot(path=SHOTS / "rating-reopened-phone.png", full_page=True)
        page.set_viewport_size(SIZES["desktop"])
        page.screenshot(path=SHOTS / "rating-reopened-desktop.png", full_page=True)
        return seen

    seen = in_browser(walk)
    assert event.ticket in seen["home"]
    assert seen["badge"] == "1"  # one closed report waits for the resident's rating
    assert seen["report_tab"] == f"/report/{COMMUNITY_1}/"
    assert seen["feedback"] == FEEDBACK
    assert seen["photo"] > 0
    assert seen["form_after"] == 0
    with translation.override("zh-hans"):
        assert seen["reopened_state"] == str(State.ACCEPTED.label)
    event.refresh_from_db()
    assert (event.state, event.responsible_code, event.escalations) == (
        State.ACCEPTED, COMMUNITY_1, 1)
    assert list(event.ratings.values_list("satisfaction", "comment", "reopened")) == [
        ("unsatisfied", "井盖还是松的", True)]

    # Handled again and closed again: the second "not satisfied" is kept, and that is all.
    event = round_the_loop(loop, event)

    def again(chromium) -> dict:
        page = chromium.new_page(viewport=SIZES["phone"], locale="zh-CN")
        page.goto(f"{base}/report/ticket/{event.ticket}/")
        rate(page, "unsatisfied", "还是不满意")
        page.screenshot(path=SHOTS / "rating-second-phone.png", full_page=True)
        return {"state": page.inner_text("#state"), "rated": page.inner_text("#rated")}

    second = in_browser(again)
    with translation.override("zh-hans"):
        assert second["state"] == str(State.CLOSED.label)
    event.refresh_from_db()
    assert event.state == State.CLOSED
    assert EventRating.objects.filter(event=event, reopened=False).count() == 1
