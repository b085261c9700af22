"""Events on maps: open and overdue events per grid, and pins, read through the caller's
scope in one query each; their GeoJSON in the API (application/geo+json, as the OpenAPI
document says)."""

import datetime

import pytest
from django.utils import timezone

from tests.factories import GRID_A, GRID_B, GRID_C, make_user
from wangge.events.models import Category, Event, State
from wangge.events.selectors import event_pins, events_visible_to, open_events_by_grid
from wangge.events.tally import tally_rebuild
from wangge.foundation.permissions import Role

PIN_PROPERTIES = {"id", "number", "category", "state", "state_label", "priority", "deadline",
                  "overdue"}


def overdue(event: Event) -> Event:
    Event.objects.filter(pk=event.pk).update(
        deadline=timezone.now() - datetime.timedelta(hours=2))
    tally_rebuild()  # an update behind the services' back
    event.refresh_from_db()
    return event


@pytest.fixture
def spread(loop):
    """Grid A: two open events (one overdue) and a closed one; grid B: one open; grid C (the
    other street): one open, overdue."""
    a_open = loop.report(description="路灯不亮，张三 13812345678 反映")
    a_late = overdue(loop.report())
    a_closed = loop.report()
    Event.objects.filter(pk=a_closed.pk).update(state=State.CLOSED)
    tally_rebuild()  # an update behind the services' back
    b_open = loop.report(by=loop.community, grid=GRID_B)
    c_late = overdue(loop.report(by=loop.district, grid=GRID_C))
    return {"a_open": a_open, "a_late": a_late, "a_closed": a_closed, "b_open": b_open,
            "c_late": c_late}


def test_open_and_overdue_events_are_counted_per_grid_within_the_scope(loop, spread,
                                                                       django_assert_num_queries):
    events = events_visible_to(loop.street)
    with django_assert_num_queries(1):
        counts = open_events_by_grid(events, [GRID_A, GRID_B, GRID_C])
    # Grid C is another street's: the street officer's counts leave it out.
    assert counts == {GRID_A: (2, 1), GRID_B: (1, 0)}
    assert open_events_by_grid(events_visible_to(loop.district), [GRID_C]) == {GRID_C: (1, 1)}
    assert open_events_by_grid(events_visible_to(loop.district), []) == {}


def test_pins_are_the_open_events_most_overdue_first_and_bounded(loop, spread,
                                                                 django_assert_num_queries):
    events = events_visible_to(loop.street)
    with django_assert_num_queries(1):
        pins = event_pins(events, limit=10)
    assert [pin["properties"]["id"] for pin in pins] == [
        spread["a_late"].pk, spread["a_open"].pk, spread["b_open"].pk]
    assert [pin["properties"]["overdue"] for pin in pins] == [True, False, False]
    first = pins[0]
    assert first["geometry"] == {"type": "Point", "coordinates": [
        round(spread["a_late"].longitude, 6), round(spread["a_late"].latitude, 6)]}
    assert first["properties"]["number"] == spread["a_late"].number
    assert len(event_pins(events_visible_to(loop.street), limit=2)) == 2
    assert [pin["properties"]["id"] for pin in event_pins(
        events_visible_to(loop.district), limit=10, grid_codes=[GRID_C])] == [spread["c_late"].pk]


def test_a_pin_tells_no_more_than_the_event_page_heading(loop, spread):
    """No description (it may name people), no address, no reporter: what a tap shows is
    the number, category, state and deadline."""
    for pin in event_pins(events_visible_to(loop.worker), limit=10):
        assert set(pin["properties"]) == PIN_PROPERTIES
        assert "13812345678" not in str(pin)


def test_the_event_map_api_answers_geojson_within_the_scope(loop, spread, client):
    client.force_login(loop.street)
    response = client.get("/api/v1/events.geojson")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    features = response.json()["features"]
    assert {f["properties"]["id"] for f in features} == {
        spread["a_late"].pk, spread["a_open"].pk, spread["b_open"].pk}
    assert all(set(f["properties"]) == PIN_PROPERTIES for f in features)
    assert len(client.get("/api/v1/events.geojson?limit=1").json()["features"]) == 1
    assert client.get("/api/v1/events.geojson?limit=0").status_code == 422
    assert client.get(f"/api/v1/events.geojson?code={GRID_B}").json()["features"][0][
        "properties"]["id"] == spread["b_open"].pk

    grids = client.get("/api/v1/events-by-grid.geojson")
    assert grids["Content-Type"] == "application/geo+json"
    figures = {f["properties"]["code"]: (f["properties"]["open"], f["properties"]["overdue"])
               for f in grids.json()["features"]}
    assert figures == {GRID_A: (2, 1), GRID_B: (1, 0)}


def test_the_server_bounds_the_pins_whatever_the_limit_asked(loop, spread, client, settings):
    settings.WANGGE_MAP_EVENT_PINS = 2
    client.force_login(loop.district)
    assert len(client.get("/api/v1/events.geojson?limit=500").json()["features"]) == 2
    assert len(client.get("/api/v1/events.geojson").json()["features"]) == 2


def test_roles_that_do_not_see_events_get_no_map_of_them(loop, spread, client):
    """A volunteer sees people and places, not events; sensitive reports (a person living
    alone, a fever) are no more on its map than in its lists."""
    sensitive = Category.objects.get(code="elderly-alone")
    assert sensitive.is_sensitive
    loop.report(category=sensitive, description="独居老人多日未出门")
    client.force_login(make_user(Role.VOLUNTEER, GRID_A))
    assert client.get("/api/v1/events.geojson").status_code == 403
    assert client.get("/api/v1/events-by-grid.geojson").status_code == 403
    client.logout()
    assert client.get("/api/v1/events.geojson").status_code == 401


def test_the_openapi_document_says_the_maps_answer_geojson(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/events.geojson", "/api/v1/events-by-grid.geojson"):
        answer = paths[path]["get"]["responses"]["200"]["content"]
        assert list(answer) == ["application/geo+json"], path
