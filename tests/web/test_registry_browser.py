"""The registry's pages in a real browser at phone size (390×844) and on a desk: a district
administrator creates a grid worker and hands over the one-time link, its owner chooses a
password on a phone, the building table scrolls sideways inside its frame, and the error pages.

Screenshots go to /tmp/wg-shots/ (registry-*.png)."""

import datetime
import re

import pytest

from tests.factories import (
    DISTRICT,
    GRID_A,
    SYSTEM,
    make_building,
    make_person,
    make_user,
    resident_id,
)
from tests.web.test_browser import PASSWORD, SHOTS, SIZES, log_in
from wangge.access.models import User
from wangge.foundation.permissions import Role
from wangge.places.services import dwelling_create


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_administrator_creates_an_account_and_its_owner_sets_the_password(
        in_browser, live_server, world):
    admin = make_user(Role.DISTRICT_ADMIN, DISTRICT, username="district-admin")
    admin.first_name = "区管理员"
    admin.set_password(PASSWORD)
    admin.save()
    make_user(Role.VOLUNTEER, GRID_A, username="volunteer-1")
    base = live_server.url
    SHOTS.mkdir(exist_ok=True)

    def walk(chromium) -> dict[str, str]:
        page = chromium.new_page(viewport=SIZES["phone"], locale="zh-CN")
        log_in(page, base, admin.username)
        page.goto(f"{base}/accounts/")
        page.screenshot(path=SHOTS / "registry-accounts-phone.png", full_page=True)
        page.fill("input[name=q]", "zzz")  # htmx narrows the list as one types
        page.wait_for_selector("#results table", state="detached")
        page.goto(f"{base}/accounts/new/")
        page.fill("input[name=username]", "wang-wu")
        page.fill("input[name=first_name]", "王五")
        page.select_option("select[name=role]", "grid_worker")
        page.check(f"input[name=jurisdictions][value='{GRID_A}']")
        page.fill("input[name=reason]", "新入职网格员")
        page.screenshot(path=SHOTS / "registry-account-new-phone.png", full_page=True)
        page.click("form.form button.primary")
        page.wait_for_selector("#link")
        page.screenshot(path=SHOTS / "registry-account-link-phone.png", full_page=True)
        link = page.input_value("#link")
        overflow = page.evaluate("document.documentElement.scrollWidth")
        page.click("a.button >> nth=0")  # back to the account
        page.wait_for_selector("ol.history")
        page.screenshot(path=SHOTS / "registry-account-phone.png", full_page=True)
        page.set_viewport_size(SIZES["desktop"])
        page.screenshot(path=SHOTS / "registry-account-desktop.png", full_page=True)
        history = page.inner_text("ol.history")
        # The owner, on their own phone, with no session.
        owner = chromium.new_context(viewport=SIZES["phone"], locale="zh-CN").new_page()
        owner.goto(link)
        owner.wait_for_selector("input[name=new_password1]")
        owner.screenshot(path=SHOTS / "registry-password-choose-phone.png", full_page=True)
        owner.fill("input[name=new_password1]", "my own passphrase 7")
        owner.fill("input[name=new_password2]", "my own passphrase 7")
        owner.click("form.form button.primary")
        owner.wait_for_url(re.compile(r".*/login/$"))
        return {"history": history, "overflow": str(overflow)}

    seen = in_browser(walk)
    assert "新入职网格员" in seen["history"]
    assert "区管理员" in seen["history"]
    assert int(seen["overflow"]) <= SIZES["phone"]["width"]
    owner = User.objects.get(username="wang-wu")
    assert owner.check_password("my own passphrase 7")
    assert list(owner.jurisdictions.values_list("code", flat=True)) == [GRID_A]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_building_table_scrolls_inside_its_frame_on_a_phone(in_browser, live_server,
                                                                 world):
    worker = make_user(Role.GRID_WORKER, GRID_A, username="worker-a")
    worker.set_password(PASSWORD)
    worker.save()
    building = make_building(GRID_A, name="幸福花园3栋", units=4, floors=12)
    for floor in range(1, 13):
        for unit in range(1, 5):
            for room in (1, 2):
                dwelling = dwelling_create(building=building, unit=unit, floor=floor,
                                           room=f"{unit}{floor:02d}{room}", by=SYSTEM)
                if (floor + unit + room) % 3:
                    born = datetime.date(1950 + floor, unit, 10 * room)
                    make_person(GRID_A, name="住户甲", dwelling=dwelling,
                                id_number=resident_id(born))
    base = live_server.url

    def walk(chromium) -> dict[str, int]:
        page = chromium.new_page(viewport=SIZES["phone"], locale="zh-CN")
        log_in(page, base, worker.username)
        page.goto(f"{base}/buildings/{building.pk}/")
        page.wait_for_selector(".building-table")
        page.screenshot(path=SHOTS / "registry-building-phone.png", full_page=True)
        sizes = page.evaluate("""() => {
            const frame = document.querySelector('.building-table-frame');
            return {page: document.documentElement.scrollWidth,
                    frame: frame.clientWidth, table: frame.scrollWidth};
        }""")
        page.eval_on_selector(".building-table-frame", "frame => frame.scrollLeft = 400")
        page.screenshot(path=SHOTS / "registry-building-phone-scrolled.png")
        page.set_viewport_size(SIZES["desktop"])
        page.screenshot(path=SHOTS / "registry-building-desktop.png", full_page=True)
        page.goto(f"{base}/no-such-page/")
        page.set_viewport_size(SIZES["phone"])
        page.screenshot(path=SHOTS / "registry-404-phone.png", full_page=True)
        return sizes

    sizes = in_browser(walk)
    assert sizes["page"] <= SIZES["phone"]["width"]  # the page itself never scrolls sideways
    assert sizes["table"] > sizes["frame"]  # the table does, inside its frame
