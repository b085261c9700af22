"""The alert pages: publish, the alert's page, update and cancel (each a new message), an
exercise marked and hidden from those not taking part, and preparedness messages."""

import json

from django.test import Client

from tests.alerts.conftest import INFO
from tests.factories import COMMUNITY_1
from wangge.alerts.models import Alert, PreparednessMessage


def signed_in(user) -> Client:
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(user)
    return client


def form(world, **changes):
    return {**INFO, "grids": [grid.pk for grid in world.grids], "status": "Actual",
            "reason": "气象台发布", **changes}


def test_publish_update_and_cancel_through_the_pages(world):
    client = signed_in(world.staff)
    assert client.get("/alerts/new/").status_code == 200
    response = client.post("/alerts/new/", form(world))
    alert = Alert.objects.get()
    assert response.url == f"/alerts/{alert.pk}/"
    page = signed_in(world.worker_a).get(response.url).content.decode()
    assert "暴雨橙色预警" in page
    assert "In force" in page
    assert "Update" not in page
    # The map draws the grids' polygons (in the page's data, no inline script).
    area = json.loads(signed_in(world.worker_a).get(response.url).context["area"])["area"]
    assert [feature["geometry"] for feature in area["features"]] == [
        grid.boundary for grid in world.grids]
    response = client.post(f"/alerts/{alert.pk}/update/",
                           {**form(world), "severity": "Extreme", "reason": "升级"})
    update = Alert.objects.get(replaces=alert)
    assert response.url == f"/alerts/{update.pk}/"
    assert update.severity == "Extreme"
    assert "Replaced by" in client.get(f"/alerts/{alert.pk}/").content.decode()
    response = client.post(f"/alerts/{update.pk}/cancel/", {"reason": "解除"})
    cancel = Alert.objects.get(replaces=update)
    assert cancel.msg_type == "Cancel"
    assert cancel.note == "解除"
    assert client.get("/alerts/?current=1").context["alerts"].paginator.count == 0


def test_a_refusal_is_shown_on_the_form(world):
    client = signed_in(world.staff)
    response = client.post("/alerts/new/", form(world, status="Exercise"))
    assert response.status_code == 200
    assert "participants" in response.context["form"].errors
    assert not Alert.objects.exists()


def test_an_exercise_is_marked_and_seen_by_participants_only(world):
    client = signed_in(world.staff)
    client.post("/alerts/new/", form(world, status="Exercise",
                                     participants=[world.volunteer.pk]))
    alert = Alert.objects.get()
    page = signed_in(world.volunteer).get(f"/alerts/{alert.pk}/").content.decode()
    assert "[Exercise] 暴雨橙色预警" in page
    assert signed_in(world.worker_a).get(f"/alerts/{alert.pk}/").status_code == 404
    listing = signed_in(world.volunteer).get("/alerts/").content.decode()
    assert "[Exercise] 暴雨橙色预警" in listing


def test_preparedness_messages(world):
    client = signed_in(world.staff)
    response = client.post("/alerts/preparedness/new/", {
        "community_code": COMMUNITY_1, "topic": "public_health", "headline": "流感季提示",
        "description": "接种疫苗。", "starts_on": "2026-10-01", "repeat": "yearly",
        "active": "on", "reason": "年度计划"})
    assert response.status_code == 302
    assert PreparednessMessage.objects.get().history.first().history_change_reason == "年度计划"
    assert "流感季提示" in client.get("/alerts/preparedness/").content.decode()
    assert signed_in(world.worker_a).get("/alerts/preparedness/").status_code == 403
