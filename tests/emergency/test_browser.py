"""In a real browser at phone size: community staff declare a level-III flood for two grids,
then follow the live roll-call (polled with htmx) while the members called answer on their
phones by one tap, one available and one not, whose deputy is then called; no page scrolls
sideways. Screenshots go to /tmp/wg-shots/emergency-*.png."""

import pytest

from tests.emergency.conftest import make_world
from tests.factories import GRID_A, GRID_B
from tests.web.conftest import in_browser
from tests.web.test_browser import PASSWORD, SHOTS, SIZES, log_in
from wangge.emergency.links import answer_token
from wangge.emergency.models import Answer, Callout, Emergency

__all__ = ["in_browser"]

FITS = "document.documentElement.scrollWidth <= window.innerWidth + 1"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_flood_declared_and_its_roll_call_followed_on_phones(in_browser, live_server,
                                                               settings):
    settings.LANGUAGE_CODE = "en"
    world = make_world()
    world.author.set_password(PASSWORD)
    world.author.save()
    SHOTS.mkdir(exist_ok=True)
    base = live_server.url

    def declare(chromium) -> dict:
        staff = chromium.new_page(viewport=SIZES["phone"], locale="en")
        log_in(staff, base, world.author.username)
        staff.goto(f"{base}/emergency/")
        staff.click("a[href='/emergency/declare/']")
        staff.select_option("select[name=plan]", str(world.plan.pk))
        staff.select_option("select[name=level]", "III")
        staff.check(f"input[name=grids][value='{GRID_A}']")
        staff.check(f"input[name=grids][value='{GRID_B}']")
        staff.fill("input[name=reason]", "暴雨黄色预警")
        fits = {"declare": staff.evaluate(FITS)}
        staff.screenshot(path=SHOTS / "emergency-declare.png", full_page=True)
        staff.click("form.form button.primary")
        staff.wait_for_url("**/roll-call/")
        fits["roll-call"] = staff.evaluate(FITS)
        return {"fits": fits, "waiting": staff.inner_text("#count-waiting")}

    declared = in_browser(declare)
    assert declared["waiting"] == "2"
    emergency = Emergency.objects.get()
    assert (emergency.level, emergency.grids) == ("III", [GRID_A, GRID_B])
    links = {callout.user.username: f"{base}/emergency/answer/{answer_token(callout.pk)}/"
             for callout in Callout.objects.select_related("user")}

    def follow(chromium) -> dict:
        staff = chromium.new_page(viewport=SIZES["phone"], locale="en")
        log_in(staff, base, world.author.username)
        staff.goto(f"{base}/emergency/{emergency.pk}/roll-call/")
        phone = chromium.new_context(viewport=SIZES["phone"], locale="en").new_page()
        phone.goto(links["leader"])
        fits = {"answer": phone.evaluate(FITS)}
        phone.screenshot(path=SHOTS / "emergency-answer.png", full_page=True)
        phone.click("button[value=available]")
        phone.wait_for_selector("#answered")
        # The roll-call updates by itself (htmx polls it).
        staff.wait_for_selector("#count-available:text-is('1')", timeout=15000)
        other = chromium.new_context(viewport=SIZES["phone"], locale="en").new_page()
        other.goto(links["rescuer"])
        other.click("button[value=unavailable]")
        other.wait_for_selector("#answered")
        staff.wait_for_selector("li[data-user=spare]", timeout=15000)
        fits["roll-call"] = staff.evaluate(FITS)
        staff.screenshot(path=SHOTS / "emergency-roll-call.png", full_page=True)
        return {"fits": fits, "roll": staff.inner_text("#roll-call")}

    followed = in_browser(follow)
    assert all({**declared["fits"], **followed["fits"]}.values()), followed["fits"]
    assert "deputy for rescuer" in followed["roll"]
    answers = {c.user.username: c.answer for c in Callout.objects.select_related("user")}
    assert answers == {"leader": Answer.AVAILABLE, "rescuer": Answer.UNAVAILABLE,
                       "spare": Answer.WAITING}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_draft_editor_on_a_phone(in_browser, live_server, settings):
    """The draft as rows on a 390-px phone: a level opened, an action added in a blank row
    with its owner chosen by name, saved; the page never scrolls sideways."""
    settings.LANGUAGE_CODE = "en"
    world = make_world()
    world.author.set_password(PASSWORD)
    world.author.save()
    SHOTS.mkdir(exist_ok=True)
    base = live_server.url

    def edit(chromium) -> dict:
        staff = chromium.new_page(viewport=SIZES["phone"], locale="en")
        log_in(staff, base, world.author.username)
        staff.goto(f"{base}/emergency/plans/{world.plan.pk}/")
        staff.click(f"a[href='/emergency/plans/{world.plan.pk}/draft/']")
        fits = {"editor": staff.evaluate(FITS)}
        staff.screenshot(path=SHOTS / "emergency-draft.png", full_page=True)
        staff.click("#level-IV > summary")
        staff.fill("input[name='IV-actions-0-title']", "巡查低洼地带")
        staff.select_option("select[name='IV-actions-0-owner']", label="worker-a")
        staff.fill("input[name='IV-actions-0-hours']", "12")
        staff.check(f"input[name='IV-teams-teams'][value='{world.rescue.pk}']")
        fits["level IV"] = staff.evaluate(FITS)
        staff.locator("#level-IV").screenshot(path=SHOTS / "emergency-draft-level.png")
        staff.fill("input[name=reason]", "增加四级响应")
        staff.click("form.draft button.primary")
        staff.wait_for_url(f"**/emergency/plans/{world.plan.pk}/")
        return {"fits": fits, "plan": staff.inner_text("main")}

    edited = in_browser(edit)
    assert all(edited["fits"].values()), edited["fits"]
    assert "巡查低洼地带" in edited["plan"]
    draft = world.plan.versions.get(state="draft")
    assert draft.levels["IV"]["actions"] == [
        {"title": "巡查低洼地带", "owner": world.worker.pk, "hours": 12.0}]
    assert draft.levels["IV"]["teams"] == [world.rescue.pk]
