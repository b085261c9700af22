"""In a real browser on a phone-sized screen: a resident with no account reports a problem
on the community's page using the phone's position and a photo, gets a ticket number and
follows it; the grid worker then finds it in their list. Screenshots go to
/tmp/wg-shots/open311-*.png."""

import pytest
from playwright.sync_api import expect

from tests.events.test_photos import camera_jpeg
from tests.factories import COMMUNITY_1, GRID_A, centre_of
from tests.open311.conftest import make_public
from tests.web.conftest import in_browser
from tests.web.test_browser import PASSWORD, SHOTS, SIZES, log_in
from wangge.events.models import Channel, Event

__all__ = ["in_browser"]  # the fixture, shared with the pages' browser test


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_resident_reports_on_the_public_page_and_the_grid_worker_sees_it(
        in_browser, live_server, tmp_path):
    public = make_public()
    worker = public.loop.worker
    worker.set_password(PASSWORD)
    worker.save()
    SHOTS.mkdir(exist_ok=True)
    base = live_server.url
    lon, lat = centre_of(GRID_A)
    photo = tmp_path / "IMG_20240506.jpg"
    photo.write_bytes(camera_jpeg())
    category = str(public.loop.category.pk)

    def walk(chromium) -> dict:
        phone = chromium.new_context(viewport=SIZES["phone"], locale="zh-CN",
                                     geolocation={"longitude": lon, "latitude": lat},
                                     permissions=["geolocation"])
        page = phone.new_page()
        page.goto(f"{base}/report/{COMMUNITY_1}/")
        page.screenshot(path=SHOTS / "open311-report-phone.png", full_page=True)
        page.select_option("select[name=category]", category)
        page.click("button[data-locate]")
        expect(page.locator("#id_longitude")).not_to_have_value("")
        page.fill("textarea[name=description]", "小区东门井盖缺失，晚上很危险")
        page.set_input_files("input[name=photos]", str(photo))
        page.screenshot(path=SHOTS / "open311-report-filled-phone.png", full_page=True)
        page.click("form.public-report button.primary")
        page.wait_for_selector("#state")
        page.screenshot(path=SHOTS / "open311-status-phone.png", full_page=True)
        result = {"url": page.url, "message": page.inner_text("p.message"),
                  "state": page.inner_text("#state")}
        phone.close()

        staff = chromium.new_page(viewport=SIZES["phone"], locale="zh-CN")
        log_in(staff, base, worker.username)
        staff.goto(f"{base}/events/")
        result["list"] = staff.inner_text("main")
        staff.screenshot(path=SHOTS / "open311-worker-list-phone.png", full_page=True)
        staff.goto(f"{base}/buildings/{public.house_a.pk}/")
        staff.click(f"a[href='/report/poster/{public.house_a.pk}/']")
        staff.wait_for_selector(".qr svg")
        staff.screenshot(path=SHOTS / "open311-poster-phone.png", full_page=True)
        return result

    seen = in_browser(walk)
    event = Event.objects.get()
    assert (event.channel, event.reporter, event.grid_code) == (Channel.PUBLIC, None, GRID_A)
    assert event.photos.count() == 1
    assert seen["url"] == f"{base}/report/ticket/{event.ticket}/"
    assert event.ticket in seen["message"]
    assert event.ticket in seen["list"]
