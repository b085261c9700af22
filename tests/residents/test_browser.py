"""Everyone takes part, in a real browser at phone size: a resident signs in with the code
sent to the phone on their record, reads an urgent notice and confirms it, votes on a
proposal of their community and rates the answer to their closed request; then community
staff see the receipt, the turnout and, once the vote is closed, the tally and the result,
and the rating on the request's event. No page scrolls sideways. Screenshots go to
/tmp/wg-shots/take-part-*.png."""

import datetime

import pytest
from django.utils import timezone

from tests.factories import COMMUNITY_1, GRID_A, SYSTEM, make_person
from tests.residents.requests_world import answer_and_close, ask, make_requests
from tests.web.conftest import in_browser
from tests.web.test_browser import PASSWORD, SHOTS, SIZES, log_in
from wangge.conventions.models import Vote
from wangge.conventions.services import convention_create, vote_open
from wangge.events.models import EventRating
from wangge.notices.models import Recipient
from wangge.notices.services import notice_create
from wangge.people.services import household_create
from wangge.residents.services import resident_account_for

__all__ = ["in_browser"]

FITS = "document.documentElement.scrollWidth <= window.innerWidth + 1"
PHONE = "13900001111"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_resident_reads_votes_and_rates_and_staff_see_it(in_browser, live_server, settings,
                                                          sent_codes):
    settings.LANGUAGE_CODE = "en"
    world = make_requests()
    staff = world.loop.community
    staff.set_password(PASSWORD)
    staff.save()
    person = make_person(GRID_A, "陈静", phone=PHONE)
    household_create(head=person, by=SYSTEM)
    household_create(head=make_person(GRID_A, "周强"), by=SYSTEM)
    request = ask(resident_account_for(person=person), "小区路灯不亮，晚上出行不安全")
    event = answer_and_close(world, request, world.loop.police)
    notice = notice_create(by=staff, title="寒潮防范", body="本周末气温骤降，请检查取暖设施。",
                           audience="grids", grid_codes=[GRID_A], urgent=True)
    proposal = convention_create(by=staff, kind="proposal", title="3号楼加装电梯",
                                 text="由业主共同出资为3号楼加装电梯。", community_code=COMMUNITY_1,
                                 grid_codes=[GRID_A])
    vote = vote_open(convention=proposal, by=staff, rule="household", quorum_percent=20,
                     deadline=timezone.now() + datetime.timedelta(hours=2))
    SHOTS.mkdir(exist_ok=True)
    base = live_server.url

    def resident(chromium) -> dict:
        page = chromium.new_page(viewport=SIZES["phone"], locale="en")
        fits = {}
        page.goto(f"{base}/me/sign-in/")
        page.fill("input[name=phone]", PHONE)
        page.click("form button.primary")
        page.wait_for_url("**/me/sign-in/code/")
        page.fill("input[name=code]", sent_codes()[-1])
        page.click("form button.primary")
        page.wait_for_url(lambda url: "/sign-in/" not in url)
        page.goto(f"{base}/me/notices/")
        page.click(f"a[href='/me/notices/{notice.pk}/']")
        page.click("button:has-text('I have read it')")
        page.wait_for_selector("text=You confirmed it on")
        fits["notice"] = page.evaluate(FITS)
        page.screenshot(path=SHOTS / "take-part-notice.png", full_page=True)
        page.goto(f"{base}/me/conventions/")
        page.click(f"a[href='/me/conventions/{proposal.pk}/']")
        page.check("input[name=choice][value=for]")
        fits["vote"] = page.evaluate(FITS)
        page.screenshot(path=SHOTS / "take-part-vote.png", full_page=True)
        page.click("#ballot button[type=submit]")
        page.wait_for_load_state()
        voted = page.inner_text("main")
        page.goto(f"{base}/me/requests/")
        page.click(f"a[href='/me/requests/{request.pk}/']")
        page.check("input[name=satisfaction][value=satisfied]")
        page.fill("textarea[name=comment]", "修得很快，谢谢")
        fits["rating"] = page.evaluate(FITS)
        page.screenshot(path=SHOTS / "take-part-rating.png", full_page=True)
        page.click("form.form button.primary")
        page.wait_for_load_state()
        return {"fits": fits, "voted": voted, "rated": page.inner_text("main")}

    walked = in_browser(resident)
    assert all(walked["fits"].values()), walked["fits"]
    receipt = Recipient.objects.get(notice=notice, person=person)
    assert receipt.read_at is not None
    assert receipt.acknowledged_at is not None
    assert "household has voted" in walked["voted"]
    assert "For" not in walked["voted"].split("household has voted")[1][:40]  # never its choice
    rating = EventRating.objects.get(event=event)
    assert (rating.satisfaction, rating.comment) == ("satisfied", "修得很快，谢谢")
    # The deadline passes; staff close the vote on its page.
    Vote.objects.filter(pk=vote.pk).update(deadline=timezone.now() - datetime.timedelta(minutes=1))

    def staff_side(chromium) -> dict:
        page = chromium.new_page(viewport=SIZES["phone"], locale="en")
        log_in(page, base, staff.username)
        page.goto(f"{base}/notices/{notice.pk}/")
        receipts = page.inner_text("table")
        fits = {"receipts": page.evaluate(FITS)}
        page.goto(f"{base}/conventions/{proposal.pk}/")
        turnout = page.inner_text("#turnout")
        page.click("button:has-text('Close now')")
        page.wait_for_selector("#result")
        fits["tally"] = page.evaluate(FITS)
        page.screenshot(path=SHOTS / "take-part-tally.png", full_page=True)
        tally = {key: page.inner_text(f"#{key}") for key in ("votes-for", "result", "turnout")}
        page.goto(f"{base}/events/{event.pk}/")
        fits["event"] = page.evaluate(FITS)
        return {"fits": fits, "receipts": receipts, "turnout": turnout, "tally": tally,
                "event": page.inner_text("main")}

    seen = in_browser(staff_side)
    assert all(seen["fits"].values()), seen["fits"]
    electorate = Vote.objects.get(pk=vote.pk).electorate
    assert seen["turnout"].replace(" ", "") == f"1/{electorate}"
    assert seen["tally"] == {"votes-for": "1", "result": "Adopted",
                             "turnout": f"1 / {electorate}"}
    assert "修得很快，谢谢" in seen["event"]
    assert "Satisfied" in seen["event"]
    # The grid's row: recipients, read, confirmed, told in person, unread.
    row = next(line for line in seen["receipts"].splitlines() if line.startswith("In all"))
    recipients = Recipient.objects.filter(notice=notice).count()
    assert row.split()[2:] == [str(recipients), "1", "1", "0", str(recipients - 1)]
