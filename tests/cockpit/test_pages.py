"""The cockpit page: who may open it, on which units, for which period; every number a link
to the event list behind it, and names, never codes, for units."""

import datetime
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from django.utils.html import strip_tags

from tests.factories import COMMUNITY_1, DISTRICT, GRID_A, GRID_C, STREET_1, STREET_2, make_user
from wangge.foundation.permissions import ROLE_ACTIONS, Action, Role


def chart_data(response) -> dict:
    found = re.search(r'<script id="cockpit-data" type="application/json">(.*?)</script>',
                      response.content.decode(), re.S)
    return json.loads(found[1])


def visible_text(response) -> str:
    page = re.sub(r"<script.*?</script>", "", response.content.decode(), flags=re.S)
    return strip_tags(page)


@pytest.mark.parametrize("role", Role.values)
def test_community_street_and_district_start_at_the_cockpit(role, city, page_as):
    client = page_as(make_user(role, STREET_1))
    has_cockpit = Action.VIEW_COCKPIT in ROLE_ACTIONS[role]
    home = client.get("/")
    assert (home.status_code, home.get("Location")) == (
        (302, "/cockpit/") if has_cockpit else (200, None))
    assert client.get("/cockpit/").status_code == (200 if has_cockpit else 403)


def test_a_street_officer_cannot_open_another_street(city, page_as):
    client = page_as(city.loop.street)
    assert client.get(f"/cockpit/{COMMUNITY_1}/").status_code == 200
    for code in (STREET_2, GRID_C, DISTRICT, "abc", "4201020010011"):
        assert client.get(f"/cockpit/{code}/").status_code == 404, code


def test_signed_out_is_sent_to_sign_in(city, client):
    response = client.get("/cockpit/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_units_are_named_and_open_their_own_cockpit_for_the_same_period(city, page_as):
    client = page_as(city.loop.district)
    response = client.get("/cockpit/", {"from": "2024-01-01", "to": "2024-01-31"})
    assert response.status_code == 200
    text = visible_text(response)
    assert "大智街道" in text
    assert "一元街道" in text
    for code in (DISTRICT, STREET_1, STREET_2, GRID_A):
        assert code not in text
    page = response.content.decode()
    assert f'href="/cockpit/{STREET_1}/?from=2024-01-01&amp;to=2024-01-31"' in page
    assert 'name="from" value="2024-01-01"' in page
    areas = chart_data(response)["areas"]
    assert areas["labels"] == ["大智街道", "一元街道"]  # the most overdue first
    assert areas["overdue_now"][0] == {
        "value": 1, "url": f"/cockpit/{STREET_1}/?from=2024-01-01&to=2024-01-31"}


def test_every_number_opens_the_list_behind_it(city, page_as):
    today = timezone.localdate()
    client = page_as(city.loop.district)
    response = client.get(f"/cockpit/{STREET_1}/")
    links = {}
    for href, number in re.findall(r'<a href="(/events/\?[^"]+)">(\d+)</a>',
                                   response.content.decode()):
        query = {key: values[0] for key, values in parse_qs(urlsplit(
            href.replace("&amp;", "&")).query).items()}
        links.setdefault(query.get("code"), []).append((query, int(number)))
    street = {(query.get("view"), query.get("state")): number
              for query, number in links[STREET_1] if query.get("from") == (
                  today - datetime.timedelta(days=29)).isoformat()
              and query.get("to") == today.isoformat() and set(query) <= {
                  "code", "view", "state", "from", "to"}}
    assert street == {(None, None): 3, ("closed", "closed"): 1, ("open", None): 1,
                      ("overdue", None): 1}
    # The communities' rows link to their own lists.
    assert (({"code": COMMUNITY_1, "view": "overdue"}, 1) in links[COMMUNITY_1])
    # Per category and channel: the same lists, narrowed.
    assert any(query.get("channel") == "web" and number == 3
               for query, number in links[STREET_1])
    assert any("category" in query and number == 3 for query, number in links[STREET_1])


def test_the_form_shows_the_default_period(city, page_as):
    today = timezone.localdate()
    page = page_as(city.loop.district).get("/cockpit/").content.decode()
    assert f'name="to" value="{today.isoformat()}"' in page
    assert f'name="from" value="{(today - datetime.timedelta(days=29)).isoformat()}"' in page


def test_the_series_has_a_point_per_day_each_opening_its_day(city, page_as):
    client = page_as(city.loop.community)
    response = client.get("/cockpit/", {"from": "2024-03-01", "to": "2024-03-10"})
    series = chart_data(response)["series"]
    assert len(series["labels"]) == 10
    assert series["reported"][0]["url"] == (
        f"/events/?code={COMMUNITY_1}&from=2024-03-01&to=2024-03-01")
    assert series["overdue"][9]["url"] == (
        f"/events/?code={COMMUNITY_1}&view=overdue&from=2024-03-10&to=2024-03-10")


@pytest.mark.parametrize("query", [{"from": "2024-13-01"}, {"from": "2024-03-02",
                                                              "to": "2024-03-01"},
                                   {"from": "2020-01-01", "to": "2024-01-01"}])
def test_a_period_that_cannot_be_is_told_not_a_500(query, city, page_as):
    response = page_as(city.loop.district).get("/cockpit/", query)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert "cockpit-data" not in response.content.decode()


def test_the_charts_come_from_static_files_and_no_cdn(city, page_as):
    page = page_as(city.loop.district).get("/cockpit/").content.decode()
    assert '<script src="/static/echarts/echarts.common.min.js" defer></script>' in page
    assert '<script src="/static/cockpit/cockpit.js" defer></script>' in page
    assert "//cdn" not in page
    assert "<style" not in page
    assert " style=" not in page
