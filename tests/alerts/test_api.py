"""The alerts API and the public feed: publish, update, cancel, the CAP document (public for
a real warning, 404 to strangers for an exercise), and the Atom feed of warnings in force."""

import pytest
from django.test import Client
from lxml import etree

from tests.alerts.conftest import INFO
from tests.factories import GRID_A, GRID_B, GRID_C
from wangge.access.services import token_create
from wangge.alerts.cap import MEDIA_TYPE, NAMESPACE

ATOM = {"atom": "http://www.w3.org/2005/Atom"}


def api(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {token_create(user=user)}"})


def body(**changes):
    return {**INFO, "grid_codes": [GRID_A, GRID_B], "reason": "气象台发布", **changes}


def test_publish_update_cancel(world):
    client = api(world.staff)
    response = client.post("/api/v1/alerts", body(), content_type="application/json")
    assert response.status_code == 201, response.content
    alert = response.json()
    assert (alert["msg_type"], alert["status"], alert["scope"], alert["current"]) == (
        "Alert", "Actual", "Public", True)
    assert alert["grid_codes"] == [GRID_A, GRID_B]
    assert alert["area_desc"] == "民意一网格、民意二网格"
    update = client.post(f"/api/v1/alerts/{alert['id']}/update",
                         {"severity": "Extreme", "reason": "升级"},
                         content_type="application/json").json()
    assert (update["replaces_id"], update["severity"], update["event"]) == (
        alert["id"], "Extreme", "暴雨")
    assert client.get(f"/api/v1/alerts/{alert['id']}").json()["current"] is False
    again = client.post(f"/api/v1/alerts/{alert['id']}/cancel", {"reason": "重复"},
                        content_type="application/json")
    assert again.status_code == 422
    assert "alert" in again.json()["errors"]
    cancel = client.post(f"/api/v1/alerts/{update['id']}/cancel", {"reason": "解除"},
                         content_type="application/json")
    assert cancel.status_code == 201
    assert cancel.json()["msg_type"] == "Cancel"
    listed = client.get("/api/v1/alerts", {"current": "true"}).json()
    assert listed == {"items": [], "count": 0}
    assert client.get("/api/v1/alerts").json()["count"] == 3


def test_refusals(world):
    response = api(world.staff).post("/api/v1/alerts", body(grid_codes=[GRID_A, GRID_C]),
                                     content_type="application/json")
    assert response.status_code == 422
    assert GRID_C in response.json()["errors"]["grid_codes"][0]
    response = api(world.worker_a).post("/api/v1/alerts", body(),
                                        content_type="application/json")
    assert response.status_code == 403
    response = api(world.staff).post("/api/v1/alerts", body(urgency="Soon"),
                                     content_type="application/json")
    assert response.status_code == 422
    alert = api(world.staff).post("/api/v1/alerts", body(),
                                  content_type="application/json").json()
    response = api(world.outsider).post(f"/api/v1/alerts/{alert['id']}/cancel",
                                        {"reason": "?"}, content_type="application/json")
    assert response.status_code == 404  # outside the jurisdiction: as if it did not exist


def test_the_cap_document_of_a_warning_is_public(world):
    alert = api(world.staff).post("/api/v1/alerts", body(),
                                  content_type="application/json").json()
    response = Client().get(alert["cap_url"])
    assert response.status_code == 200
    assert response["Content-Type"] == MEDIA_TYPE
    document = etree.fromstring(response.content)
    assert document.findtext(f"{{{NAMESPACE}}}identifier") == alert["identifier"]


def test_the_cap_document_of_an_exercise_is_for_those_who_may_see_it(world):
    alert = api(world.staff).post(
        "/api/v1/alerts", body(status="Exercise", participant_ids=[world.volunteer.pk]),
        content_type="application/json").json()
    assert Client().get(alert["cap_url"]).status_code == 404
    assert api(world.worker_a).get(alert["cap_url"]).status_code == 404
    assert api(world.volunteer).get(alert["cap_url"]).status_code == 200
    session = Client()
    session.force_login(world.staff)
    assert session.get(alert["cap_url"]).status_code == 200


def test_the_feed_lists_public_warnings_in_force_with_their_cap_links(world):
    client = api(world.staff)
    replaced = client.post("/api/v1/alerts", body(headline="旧"),
                           content_type="application/json").json()
    current = client.post(f"/api/v1/alerts/{replaced['id']}/update", {"reason": "更新",
                                                                       "headline": "新"},
                          content_type="application/json").json()
    client.post("/api/v1/alerts", body(status="Exercise", headline="演练",
                                       participant_ids=[world.volunteer.pk]),
                content_type="application/json")
    response = Client().get("/alerts/feed.atom")
    assert response.status_code == 200
    feed = etree.fromstring(response.content)
    entries = feed.findall("atom:entry", ATOM)
    assert [entry.findtext("atom:title", namespaces=ATOM) for entry in entries] == ["新"]
    assert entries[0].findtext("atom:id", namespaces=ATOM) == current["identifier"]
    links = {link.get("rel"): link for link in entries[0].findall("atom:link", ATOM)}
    assert links["related"].get("type") == MEDIA_TYPE
    assert links["related"].get("href").endswith(current["cap_url"])


@pytest.mark.parametrize("path", ["/api/v1/alerts/{id}/cap.xml"])
def test_the_openapi_document_says_cap_xml(world, path):
    schema = Client().get("/api/v1/openapi.json").json()
    answers = schema["paths"][path]["get"]["responses"]
    assert MEDIA_TYPE in answers["200"]["content"]
    assert schema["paths"][path]["get"].get("security") in (None, [])


def test_broken_fields_are_named(world):
    client = api(world.staff)
    for changes, field in (({"web": "not a link"}, "web"),
                           ({"status": "Exercise", "participant_ids": [999999]},
                            "participant_ids"),
                           ({"grid_codes": ["12"]}, "grid_codes")):
        response = client.post("/api/v1/alerts", body(**changes),
                               content_type="application/json")
        assert response.status_code == 422, changes
        assert any(field in key for key in response.json()["errors"]), response.json()
    alert = client.post("/api/v1/alerts", body(), content_type="application/json").json()
    response = client.post(f"/api/v1/alerts/{alert['id']}/update",
                           {"headline": None, "reason": "?"}, content_type="application/json")
    assert response.status_code == 422
    assert "headline" in response.json()["errors"]


def test_the_list_narrows_to_an_area(world):
    client = api(world.staff)
    client.post("/api/v1/alerts", body(grid_codes=[GRID_B]), content_type="application/json")
    assert client.get("/api/v1/alerts", {"code": GRID_B}).json()["count"] == 1
    assert client.get("/api/v1/alerts", {"code": GRID_A}).json()["count"] == 0
