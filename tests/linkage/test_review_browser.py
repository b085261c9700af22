"""In a real browser: community staff accept a pair in the review queue (one person), then
undo the merge from the list of merges. Leaves phone-size screenshots in /tmp/wg-shots/."""

from pathlib import Path

import pytest

from tests.factories import COMMUNITY_1, GRID_A, SYSTEM, make_user
from tests.linkage.registry import background, doubtful_pair
from tests.web.test_browser import PASSWORD, go_by_menu, log_in
from wangge.foundation.permissions import Role
from wangge.linkage.models import MatchCandidate, Merge
from wangge.linkage.services import candidates_find
from wangge.people.models import Person

SHOTS = Path("/tmp/wg-shots")
PHONE = {"width": 390, "height": 844}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_accept_a_pair_then_undo_the_merge(in_browser, live_server, world):
    background(GRID_A, 200)
    first, second = doubtful_pair(GRID_A)
    candidates_find(scope=GRID_A, by=SYSTEM)
    pair = MatchCandidate.objects.get(left=first, right=second, status="pending")
    staff = make_user(Role.COMMUNITY_STAFF, COMMUNITY_1)
    staff.set_password(PASSWORD)
    staff.save()
    base = live_server.url
    SHOTS.mkdir(exist_ok=True)

    def walk(chromium) -> dict[str, str]:
        page = chromium.new_page(viewport=PHONE, locale="zh-CN")
        log_in(page, base, staff.username)
        go_by_menu(page, "/linkage/")
        page.screenshot(path=SHOTS / "linkage-queue.png", full_page=True)
        page.click(f"a[href='/linkage/{pair.pk}/']")
        page.screenshot(path=SHOTS / "linkage-pair.png", full_page=True)
        page.check(f"input[name=keep][value='{first.pk}']")
        page.fill("#accept_reason", "同一人，电话核实")
        page.click("form.accept button.primary")
        # htmx swaps the decision for its outcome, in place.
        outcome = page.wait_for_selector("#decision .outcome").inner_text()
        page.screenshot(path=SHOTS / "linkage-merged.png", full_page=True)
        page.click("#decision a[href^='/linkage/merges/']")
        form = page.wait_for_selector("form.unmerge")
        form.query_selector("input[name=reason]").fill("核实为两人")
        form.query_selector("button").click()
        undone = page.wait_for_selector("li.merge.undone").inner_text()
        page.screenshot(path=SHOTS / "linkage-undone.png", full_page=True)
        return {"outcome": outcome, "undone": undone}

    seen = in_browser(walk)
    assert "同一人，电话核实" in seen["outcome"]
    assert "核实为两人" in seen["undone"]
    merge = Merge.objects.get()
    assert (merge.kept_id, merge.absorbed_id, merge.by_id) == (first.pk, second.pk, staff.pk)
    assert merge.undone_by_id == staff.pk
    assert Person.objects.get(pk=second.pk).merged_into is None
    pair.refresh_from_db()
    assert pair.status == MatchCandidate.Status.REJECTED
