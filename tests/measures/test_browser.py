"""In a real browser at phone size: community staff propose a measure from the person's page
(the refusal names what is missing, then it goes through), the district approves it, and the
person opens the link, confirms with the last four characters of their ID and appeals; no
page scrolls sideways. Screenshots go to /tmp/wg-shots/measures-*.png."""

import datetime

import pytest
from django.utils import timezone

from tests.measures.conftest import make_world
from tests.web.conftest import in_browser
from tests.web.test_browser import PASSWORD, SHOTS, SIZES, log_in
from wangge.measures.models import Appeal, Measure, MeasureState

__all__ = ["in_browser"]

FITS = "document.documentElement.scrollWidth <= window.innerWidth + 1"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_measure_proposed_approved_and_appealed_on_phones(in_browser, live_server, settings):
    settings.LANGUAGE_CODE = "en"
    world = make_world()
    for user in (world.community, world.district):
        user.set_password(PASSWORD)
        user.save()
    SHOTS.mkdir(exist_ok=True)
    base = live_server.url
    today = timezone.localdate()
    last_four = world.person.id_number[-4:]

    def walk(chromium) -> dict:
        staff = chromium.new_page(viewport=SIZES["phone"], locale="en")
        log_in(staff, base, world.community.username)
        staff.goto(f"{base}/people/{world.person.pk}/")
        staff.click("a[href^='/measures/new/']")
        staff.select_option("select[name=legal_basis]", str(world.basis.pk))
        staff.select_option("select[name=authority]", str(world.street_office.pk))
        staff.fill("textarea[name=cause]", "同乘K123次列车")
        staff.fill("input[name=starts_on]", today.isoformat())
        staff.fill("input[name=ends_on]", (today + datetime.timedelta(days=13)).isoformat())
        staff.select_option("select[name=responsible]", str(world.worker.pk))
        staff.fill("input[name=notified_at]", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
        staff.fill("input[name=food]", "社区代购")
        staff.fill("input[name=medicine]", "家庭医生送药")
        staff.fill("input[name=appeal_channel]", "街道办 027-12345678")
        staff.check("input[name=submit]")
        staff.click("form.form button.primary")
        refused = staff.inner_text("main")
        fits = {"propose": staff.evaluate(FITS)}
        staff.fill("input[name=dependants_care]", "无需照护")
        staff.click("form.form button.primary")
        staff.wait_for_url("**/measures/*/")
        staff.screenshot(path=SHOTS / "measures-pending.png", full_page=True)

        district = chromium.new_page(viewport=SIZES["phone"], locale="en")
        log_in(district, base, world.district.username)
        district.goto(f"{base}/measures/?waiting=1")
        district.click("ul.cards a")
        district.fill("textarea[name=reason]", "同意")
        district.click("button.primary:has-text('Approve')")
        district.wait_for_selector("text=Active")
        fits["detail"] = district.evaluate(FITS)
        staff.reload()
        link = staff.inner_text(".link-text").strip()
        staff.screenshot(path=SHOTS / "measures-active.png", full_page=True)

        person = chromium.new_context(viewport=SIZES["phone"], locale="en").new_page()
        person.goto(link)
        person.fill("input[name=last_four]", last_four)
        person.click("button.primary")
        person.wait_for_selector("textarea[name=text]")
        notice = person.inner_text("main")
        fits["notice"] = person.evaluate(FITS)
        person.screenshot(path=SHOTS / "measures-notice.png", full_page=True)
        person.fill("textarea[name=text]", "我已在外地")
        person.click("button.primary")
        person.wait_for_selector("text=Your appeal was received")
        return {"refused": refused, "notice": notice, "fits": fits}

    seen = in_browser(walk)
    assert "Say what is arranged for care for dependants" in seen["refused"]
    assert "第三十九条" in seen["notice"]
    assert "同乘K123次列车" not in seen["notice"]
    assert all(seen["fits"].values()), seen["fits"]
    assert Measure.objects.get().state == MeasureState.ACTIVE
    assert Appeal.objects.get().text == "我已在外地"
