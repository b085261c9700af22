"""In a real browser at phone size: a grid worker's morning. Their home is their to-do list,
the overdue first with how late each is; they open the overdue event that waits for them,
verify and close it in one tap, and come back to a shorter list. Also the same home and the
filtered event list at desk size. Screenshots go to /tmp/wg-shots/morning-*.png."""

import datetime

import pytest
from django.utils import timezone, translation
from django.utils.translation import ngettext

from tests.events.conftest import make_loop
from tests.factories import GRID_A, make_building
from tests.web.conftest import in_browser
from tests.web.test_browser import PASSWORD, SHOTS, SIZES, log_in
from wangge.events.models import Event, State
from wangge.events.services import event_transition

__all__ = ["in_browser"]  # the fixture, shared with the pages' browser test

LATE = ("overdue by %(count)s day", "overdue by %(count)s days")
LEFT = ("%(count)s day left", "%(count)s days left")


def late(event: Event, days: int) -> Event:
    """Put ``event``'s deadline ``days`` (and a little) in the past."""
    Event.objects.filter(pk=event.pk).update(
        deadline=timezone.now() - datetime.timedelta(days=days, hours=1))
    return Event.objects.get(pk=event.pk)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_grid_workers_morning_at_phone_size(in_browser, live_server):
    loop = make_loop()
    worker = loop.worker
    worker.set_password(PASSWORD)
    worker.first_name = "李娜"
    worker.save()
    make_building(GRID_A, name="幸福里3栋")  # never visited: a patrol is due
    fed_back = loop.report(description="幸福路3号井盖缺失")
    for step, by in [("accept", worker), ("dispatch", worker), ("start", loop.department),
                     ("feedback", loop.department)]:
        fed_back = event_transition(event=fed_back, name=step, by=by, comment="已更换新井盖",
                                    organization=loop.police)
    fed_back = late(fed_back, 2)
    waiting = late(loop.report(description="消防通道被电动车占用"), 1)
    fresh = loop.report(description="路灯不亮")
    base = live_server.url
    SHOTS.mkdir(exist_ok=True)

    def walk(chromium) -> dict:
        page = chromium.new_page(viewport=SIZES["phone"], locale="zh-CN")
        log_in(page, base, worker.username)
        seen = {"overdue": page.locator("#tasks-overdue li").all_inner_texts(),
                "to_accept": page.locator("#tasks-to_accept li").all_inner_texts(),
                "patrols": page.locator("#tasks-patrols li").all_inner_texts(),
                "badge": page.inner_text("#waiting-count"),
                "tab_bar": page.locator("nav.nav").bounding_box()}
        page.screenshot(path=SHOTS / "morning-home-phone.png", full_page=True)
        page.locator("#tasks-overdue a", has_text="幸福路3号").click()
        page.wait_for_selector("form[data-action=verify_close]")
        page.screenshot(path=SHOTS / "morning-event-phone.png", full_page=True)
        form = page.locator("form[data-action=verify_close]")
        form.locator("textarea[name=comment]").fill("现场核实，井盖已装好")
        form.locator("button[type=submit]").click()
        page.wait_for_selector("p.message")
        seen["state"] = page.inner_text("#state")
        page.click("nav.nav a.home-tab")
        page.wait_for_selector("#tasks-overdue")
        seen["overdue_after"] = page.locator("#tasks-overdue li").all_inner_texts()
        seen["badge_after"] = page.inner_text("#waiting-count")
        page.screenshot(path=SHOTS / "morning-home-after-phone.png", full_page=True)
        # The "More" tab opens the other links, and a link there works.
        page.click("nav.nav a.more-tab")
        seen["more_visible"] = page.is_visible("#more a[href='/account/password/']")
        page.screenshot(path=SHOTS / "morning-more-phone.png")

        page.set_viewport_size(SIZES["desktop"])
        page.goto(f"{base}/")
        seen["desk_tab_bar_hidden"] = not page.is_visible("nav.nav a.more-tab")
        page.screenshot(path=SHOTS / "morning-home-desktop.png", full_page=True)
        page.goto(f"{base}/events/?state=reported&q=消防&code={GRID_A}")
        seen["filtered"] = page.locator("table.events tbody tr").all_inner_texts()
        page.screenshot(path=SHOTS / "morning-events-desktop.png", full_page=True)
        page.goto(f"{base}/events/{fed_back.pk}/")
        page.screenshot(path=SHOTS / "morning-event-closed-desktop.png", full_page=True)
        page.goto(f"{base}/events/?from=2024-13-01&channel=fax")
        seen["problems"] = page.locator("p.error[role=alert]").all_inner_texts()
        page.set_viewport_size(SIZES["phone"])
        page.goto(f"{base}/events/?view=overdue")
        page.screenshot(path=SHOTS / "morning-events-phone.png", full_page=True)
        return seen

    seen = in_browser(walk)
    with translation.override("zh-hans"):  # the browser asks for zh-CN: "超期 2 天"
        two_days_late, one_day_late = ngettext(*LATE, 2) % {"count": 2}, ngettext(
            *LATE, 1) % {"count": 1}
        six_days_left = ngettext(*LEFT, 6) % {"count": 6}
    assert len(seen["overdue"]) == 2
    assert two_days_late in seen["overdue"][0]
    assert "幸福路3号" in seen["overdue"][0]
    assert one_day_late in seen["overdue"][1]
    assert "消防通道" in seen["overdue"][1]
    assert len(seen["to_accept"]) == 1
    assert "路灯不亮" in seen["to_accept"][0]
    assert six_days_left in seen["to_accept"][0]
    assert "幸福里" not in "".join(seen["patrols"])
    assert "民意一网格" in seen["patrols"][0]
    # The tab bar sits at the bottom of the phone's screen.
    assert seen["tab_bar"]["y"] + seen["tab_bar"]["height"] == SIZES["phone"]["height"]
    assert seen["badge"] == "4"  # two overdue, one to accept, one grid to patrol
    assert seen["state"] == "已结案"
    assert len(seen["overdue_after"]) == 1
    assert "消防通道" in seen["overdue_after"][0]
    assert seen["badge_after"] == "3"
    assert seen["more_visible"]
    assert seen["desk_tab_bar_hidden"]
    assert len(seen["filtered"]) == 1
    assert waiting.number in seen["filtered"][0]
    assert "民意一网格" in seen["filtered"][0]
    assert len(seen["problems"]) == 2
    event = Event.objects.get(pk=fed_back.pk)
    assert event.state == State.CLOSED
    assert list(event.transitions.values_list("action", flat=True))[-2:] == ["verify",
                                                                             "close"]
    assert Event.objects.get(pk=fresh.pk).state == State.REPORTED
