"""The maps: the grid map's figures and pins (scoped, one query per layer, bounded), a
location as a small map on the event and building pages, the basemap's settings and its
hosts in the Content Security Policy, and, in a real browser at phone size, a tap that opens
a popup, the colouring switch, the pins, and GCJ-02 basemaps lining up."""

import datetime
import html
import json
import os
import re
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from tests.factories import (
    COMMUNITY_1,
    DISTRICT,
    GRID_A,
    GRID_B,
    GRID_C,
    SYSTEM,
    make_building,
    make_user,
    square,
)
from tests.web.test_browser import PASSWORD, SHOTS, SIZES, log_in
from tests.web.test_home import map_data
from wangge.divisions.models import Grid
from wangge.divisions.services import grid_create
from wangge.events.default_categories import install_default_categories
from wangge.events.models import Category, Event
from wangge.events.services import event_report
from wangge.foundation.permissions import Role
from wangge.places.services import building_create
from wangge.settings import tile_sources
from wangge.web.selectors import grid_map

# A published pair (the test vectors of eviltransform, an independent implementation):
# WGS-84 (31.1774276 N, 121.5272106 E) is GCJ-02 (31.17530398364597 N, 121.531541859215 E),
# 460 m away.
WGS84 = (121.5272106, 31.1774276)
GCJ02 = (121.531541859215, 31.17530398364597)


def report(by, grid: str, *, late: bool = False, lon: float = 0.002, lat: float = 0.002,
           category: str = "manhole-cover", description: str = "井盖缺失") -> Event:
    """An event in ``grid`` off its centre (where the grid's name is), overdue if ``late``."""
    origin = Grid.objects.get(code=grid).boundary["coordinates"][0][0]
    event = event_report(category=Category.objects.get(code=category), description=description,
                         longitude=origin[0] + lon, latitude=origin[1] + lat, by=by)
    if late:
        Event.objects.filter(pk=event.pk).update(
            deadline=timezone.now() - datetime.timedelta(days=2))
    return event


@pytest.fixture
def events(world):
    district = make_user(Role.DISTRICT_ADMIN, DISTRICT)
    return {"a_late": report(district, GRID_A, late=True), "a_open": report(district, GRID_A),
            "b_open": report(district, GRID_B, lon=0.008), "c_late": report(district, GRID_C,
                                                                             late=True)}


def figures_of(data: dict) -> dict[str, dict]:
    return {feature["properties"]["code"]: {key: value for key, value in
                                            feature["properties"].items()
                                            if key in ("population", "open", "overdue")}
            for feature in data["grids"]["features"]}


def test_the_map_colours_grids_by_residents_open_and_overdue_events(client, residents, events):
    client.force_login(make_user(Role.STREET_OFFICER, "420102001000"))
    data = map_data(client.get("/divisions/420102001000/"))
    assert [figure["key"] for figure in data["figures"]] == ["population", "open", "overdue"]
    assert figures_of(data) == {GRID_A: {"population": 1, "open": 2, "overdue": 1},
                                GRID_B: {"population": 1, "open": 1, "overdue": 0}}
    pins = data["events"]["features"]
    assert [pin["properties"]["id"] for pin in pins] == [events["a_late"].pk,
                                                         events["a_open"].pk,
                                                         events["b_open"].pk]
    assert pins[0]["properties"]["url"] == f"/events/{events['a_late'].pk}/"
    assert data["pins"] == {"shown": 3, "open": 3}
    page = client.get("/divisions/420102001000/").content.decode()
    assert 'name="map-figure" value="overdue"' in page
    assert "井盖缺失" not in page  # a pin never carries the description


def test_a_role_sees_only_the_figures_it_may_see(client, residents, events):
    """A volunteer sees residents, not events: no event colours, no pins, no switch to
    them, though a sensitive report (a person living alone) lies in its grid."""
    report(make_user(Role.DISTRICT_ADMIN, DISTRICT), GRID_A, category="elderly-alone",
           description="独居老人多日未出门")
    client.force_login(make_user(Role.VOLUNTEER, GRID_A))
    response = client.get("/")
    data = map_data(response)
    assert [figure["key"] for figure in data["figures"]] == ["population"]
    assert figures_of(data) == {GRID_A: {"population": 1}}
    assert data["events"]["features"] == []
    assert data["pins"] == {"shown": 0, "open": 0}
    assert "map-switch" not in response.content.decode()
    assert "独居" not in response.content.decode()


def test_the_pins_are_bounded_and_the_map_says_so(client, residents, events, settings):
    settings.WANGGE_MAP_EVENT_PINS = 1
    client.force_login(make_user(Role.DISTRICT_ADMIN, DISTRICT))
    response = client.get(f"/divisions/{DISTRICT}/")
    data = map_data(response)
    assert [pin["properties"]["id"] for pin in data["events"]["features"]] == [
        events["a_late"].pk]  # the most overdue
    assert data["pins"] == {"shown": 1, "open": 4}
    note = re.search(r'id="map-pins">(.*?)</p>', response.content.decode(), re.S)[1]
    assert sorted(re.findall(r"\d+", re.sub(r"<[^>]+>", "", note))) == ["1", "4"]  # in any order


def test_a_map_costs_the_same_queries_for_one_grid_or_many(residents, events,
                                                           django_assert_num_queries):
    district = make_user(Role.DISTRICT_ADMIN, DISTRICT)
    assert district.scope_prefixes  # read once, as a signed-in request holds it
    grids = list(Grid.objects.order_by("code"))
    with django_assert_num_queries(3):  # residents, event counts, pins
        grid_map(district, grids[:1])
    with django_assert_num_queries(3):
        many = grid_map(district, grids)
    assert len(many["grids"]["features"]) == 3


def location_of(page: str) -> dict:
    found = re.search(r'class="location-map"[^>]*data-location="([^"]*)"', page)
    assert found, "no location map on the page"
    return json.loads(html.unescape(found[1]))


def test_an_event_and_a_building_show_their_location_as_a_small_map(client, residents,
                                                                    events):
    client.force_login(make_user(Role.GRID_WORKER, GRID_A))
    event = events["a_open"]
    page = client.get(f"/events/{event.pk}/").content.decode()
    location = location_of(page)
    assert location["point"] == [event.longitude, event.latitude]
    assert location["grid"] == Grid.objects.get(code=GRID_A).boundary
    assert location["tiles"] is None
    assert f"{event.longitude:.5f}" not in page  # not two numbers
    building = make_building(GRID_A, name="9栋")
    location = location_of(client.get(f"/buildings/{building.pk}/").content.decode())
    assert location["point"] == [building.longitude, building.latitude]


def test_a_place_without_a_point_has_no_map(client, world):
    building = building_create(name="无坐标楼", address="某路1号", longitude=None,
                               latitude=None, division_code=DISTRICT, by=SYSTEM)
    client.force_login(make_user(Role.DISTRICT_ADMIN, DISTRICT))
    page = client.get(f"/buildings/{building.pk}/")
    assert page.status_code == 200
    assert "location-map" not in page.content.decode()


def test_the_basemap_settings_reach_the_maps(client, residents, settings):
    settings.WANGGE_TILE_URL = "https://webrd0{s}.tiles.example/{z}/{x}/{y}.png"
    settings.WANGGE_TILE_SUBDOMAINS = "1234"
    settings.WANGGE_TILE_ATTRIBUTION = "© 某地图"
    settings.WANGGE_TILE_GCJ02 = True
    client.force_login(make_user(Role.VOLUNTEER, GRID_A))
    assert map_data(client.get("/"))["tiles"] == {
        "url": settings.WANGGE_TILE_URL, "subdomains": "1234", "attribution": "© 某地图",
        "gcj02": True, "max_zoom": settings.WANGGE_TILE_MAX_ZOOM}


def test_the_policy_allows_each_tile_host_and_nothing_wider():
    assert tile_sources("", "abc") == []
    assert tile_sources("https://tiles.example:8443/{z}/{x}/{y}.png", "abc") == [
        "https://tiles.example:8443"]
    assert tile_sources("https://webrd0{s}.is.example.com/t?x={x}&y={y}&z={z}", "1234") == [
        f"https://webrd0{digit}.is.example.com" for digit in "1234"]
    for wrong in ("tiles.example/{z}/{x}/{y}.png", "ftp://tiles.example/{z}",
                  "https://{switch:a,b}.tiles.example/{z}/{x}/{y}.png"):
        with pytest.raises(ImproperlyConfigured):
            tile_sources(wrong, "abc")


def test_the_content_security_policy_names_the_configured_tile_hosts(tmp_path):
    environment = {**os.environ, "WANGGE_VAR_DIR": str(tmp_path),
                   "WANGGE_TILE_URL": "https://t{s}.tiles.example/{z}/{x}/{y}.png",
                   "WANGGE_TILE_SUBDOMAINS": "01", "WANGGE_TILE_GCJ02": "1"}
    shown = subprocess.run(
        [sys.executable, "-c", "import json, wangge.settings as s; print(json.dumps("
         "s.CONTENT_SECURITY_POLICY['DIRECTIVES']))"],
        env=environment, capture_output=True, text=True, check=True)
    directives = json.loads(shown.stdout)
    assert directives["img-src"] == ["'self'", "data:", "https://t0.tiles.example",
                                     "https://t1.tiles.example"]
    # Only images: scripts, styles and connections stay our own.
    for directive in ("default-src", "script-src", "style-src"):
        assert directives[directive] == ["'self'"]


# In a real browser.

def community_staff_signed_in(username: str = "community-map"):
    user = make_user(Role.COMMUNITY_STAFF, COMMUNITY_1, username=username)
    user.set_password(PASSWORD)
    user.save()
    return user


def tap_inside(page, selector: str) -> None:
    """Tap a quarter of the way into the shape, away from its label and the pins."""
    box = page.locator(selector).bounding_box()
    page.touchscreen.tap(box["x"] + box["width"] * .25, box["y"] + box["height"] * .25)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_on_a_phone_a_tap_on_a_grid_opens_its_figures_and_the_switch_recolours(
        in_browser, live_server, residents):
    install_default_categories(Category)
    district = make_user(Role.DISTRICT_ADMIN, DISTRICT)
    late, _open = report(district, GRID_A, late=True), report(district, GRID_B, lon=0.008)
    user = community_staff_signed_in()
    base, path = live_server.url, f"/divisions/{COMMUNITY_1}/"
    SHOTS.mkdir(exist_ok=True)

    def walk(chromium) -> dict:
        seen: dict = {}
        context = chromium.new_context(viewport=SIZES["phone"], has_touch=True, is_mobile=True,
                                       locale="zh-CN")
        page = context.new_page()
        seen["errors"] = []
        page.on("pageerror", lambda error: seen["errors"].append(str(error)))
        log_in(page, base, user.username)
        page.goto(base + path)
        page.wait_for_selector("#map path.grid-shape")
        seen["labels"] = page.locator(".grid-label").all_inner_texts()
        seen["pins"] = page.locator("#map path.event-pin").count()
        seen["late pins"] = page.locator("#map path.event-pin.overdue").count()
        page.screenshot(path=SHOTS / "map-phone.png", full_page=True)
        grid_a = "#map path.grid-shape >> nth=0"
        tap_inside(page, grid_a)
        popup = page.wait_for_selector(".leaflet-popup-content")
        seen["popup"] = popup.inner_text()
        seen["popup figures"] = {
            row.get_attribute("data-figure"): row.inner_text().split("\n")[-1].strip()
            for row in popup.query_selector_all("[data-figure]")}
        seen["popup link"] = page.get_attribute(".leaflet-popup-content a", "href")
        seen["url after tap"] = page.url
        page.screenshot(path=SHOTS / "map-phone-popup.png")
        def fills() -> list[str]:
            return page.locator("#map path.grid-shape").evaluate_all(
                "paths => paths.map(path => path.getAttribute('fill'))")

        seen["population fills"] = fills()
        overdue = page.locator("#map-switch label", has=page.locator("input[value=overdue]"))
        seen["overdue label"] = overdue.inner_text().strip()
        overdue.tap()
        seen["overdue fills"] = fills()
        seen["legend"] = page.inner_text("#map-legend")
        page.locator("#map path.event-pin.overdue").first.tap()
        seen["pin popup"] = page.wait_for_selector(
            ".leaflet-popup-content .mono").evaluate("e => e.closest('.map-popup').innerText")
        page.wait_for_timeout(400)  # the grid's popup fades out
        seen["popups"] = page.locator(".leaflet-popup").count()
        page.screenshot(path=SHOTS / "map-phone-pin.png")
        context.close()
        page = chromium.new_page(viewport=SIZES["desktop"], locale="zh-CN")
        log_in(page, base, user.username)
        page.goto(base + path)
        page.wait_for_selector("#map path.grid-shape")
        page.screenshot(path=SHOTS / "map-desktop.png", full_page=True)
        page.close()
        return seen

    seen = in_browser(walk)
    assert sorted(seen["labels"]) == ["民意一网格", "民意二网格"]
    assert (seen["pins"], seen["late pins"]) == (2, 1)
    assert "民意一网格" in seen["popup"]
    assert seen["popup figures"] == {"population": "1", "open": "1", "overdue": "1"}
    assert seen["popup link"] == f"/grids/{GRID_A}/"
    assert seen["url after tap"] == base + path  # a popup, not a jump
    assert seen["population fills"][0] == seen["population fills"][1]  # one resident each
    assert seen["overdue fills"][0] != seen["overdue fills"][1]  # one overdue, one not
    assert seen["overdue label"] in seen["legend"]
    assert late.number in seen["pin popup"]
    assert "超期" in seen["pin popup"]
    assert seen["popups"] == 1
    assert seen["errors"] == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_with_a_gcj02_basemap_a_location_is_drawn_where_the_published_value_puts_it(
        in_browser, live_server, world, settings):
    install_default_categories(Category)
    # A grid of community 1 around the published point, far from the others.
    grid_create(code="420102001001009", name="浦东测试网格", boundary=square(121.52, 31.17),
                by=SYSTEM)
    event = event_report(category=Category.objects.get(code="manhole-cover"),
                         description="井盖缺失", longitude=WGS84[0], latitude=WGS84[1],
                         by=make_user(Role.DISTRICT_ADMIN, DISTRICT))
    building = building_create(name="9栋", address="测试路9号", longitude=WGS84[0],
                               latitude=WGS84[1], by=SYSTEM)
    user = community_staff_signed_in()
    base = live_server.url
    # Tiles from this server (the policy allows 'self'); none exist, the test reads positions.
    settings.WANGGE_TILE_URL = f"{base}/static/tiles-for-tests/{{z}}/{{x}}/{{y}}.png"
    settings.WANGGE_TILE_GCJ02 = True

    def centre(page) -> dict:
        page.wait_for_selector(".location-map path.location-pin")
        return page.evaluate("() => document.querySelector('.location-map').wanggeMap"
                             ".getCenter()")

    def walk(chromium) -> dict:
        seen: dict = {}
        errors: list[str] = []
        for size, viewport in SIZES.items():
            page = chromium.new_page(viewport=viewport, locale="zh-CN")
            page.on("pageerror", lambda error: errors.append(str(error)))
            log_in(page, base, user.username)
            page.goto(f"{base}/events/{event.pk}/")
            seen[f"event {size}"] = centre(page)
            page.screenshot(path=SHOTS / f"location-event-{size}.png", full_page=True)
            page.goto(f"{base}/buildings/{building.pk}/")
            seen[f"building {size}"] = centre(page)
            page.screenshot(path=SHOTS / f"location-building-{size}.png", full_page=True)
            page.close()
        assert errors == []
        return seen

    seen = in_browser(walk)
    for where, drawn in seen.items():
        assert metres(drawn["lng"], drawn["lat"], *GCJ02) < 3, where
        assert metres(drawn["lng"], drawn["lat"], *WGS84) > 300, where


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_without_a_basemap_a_location_sits_in_its_grid_on_a_plain_background(
        in_browser, live_server, residents):
    install_default_categories(Category)
    event = report(make_user(Role.DISTRICT_ADMIN, DISTRICT), GRID_A)
    user = community_staff_signed_in()
    base = live_server.url

    def walk(chromium) -> dict:
        page = chromium.new_page(viewport=SIZES["phone"], locale="zh-CN")
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        log_in(page, base, user.username)
        page.goto(f"{base}/events/{event.pk}/")
        page.wait_for_selector(".location-map path.location-pin")
        seen = {"errors": errors,"tiles": page.locator(".location-map .leaflet-tile").count(),
                "shapes": page.locator(".location-map path").count(),
                "centre": page.evaluate(
                    "() => document.querySelector('.location-map').wanggeMap.getCenter()")}
        page.screenshot(path=SHOTS / "location-plain-phone.png", full_page=True)
        page.close()
        return seen

    seen = in_browser(walk)
    assert seen["errors"] == []
    assert seen["tiles"] == 0
    assert seen["shapes"] == 2  # the grid's outline and the point
    assert metres(seen["centre"]["lng"], seen["centre"]["lat"], event.longitude,
                  event.latitude) < 3  # WGS-84 as stored: nothing to line up with


def metres(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    from wangge.events.selectors import distance_m

    return distance_m(lon1, lat1, lon2, lat2)
