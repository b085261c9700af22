"""The API of supplies: requests filed from a grid, an allocation run, a shipment changed by
hand, confirmation, dispatch and delivery; refusals are 403, 404 or 422, never a 500."""

import pytest

from tests.api.helpers import ApiClient
from tests.factories import COMMUNITY_1, GRID_A, GRID_C
from wangge.resources.models import Material

WATER = {"category": "water", "item": "瓶装水", "unit": "箱"}


@pytest.fixture
def api(client):
    """The API as ``user`` (one client: each call signs it in again)."""

    def login(user) -> ApiClient:
        client.force_login(user)
        return ApiClient(client, {"Accept-Language": "en"})

    return login


def test_a_grid_worker_files_a_request_in_their_grid(case, api):
    filed = api(case.worker).post("/resources/requests", {
        "grid_code": GRID_A, **WATER, "quantity": 5, "urgency": "critical", "why": "漏水"})
    assert filed.status_code == 201, filed.content
    assert filed.json()["priority"] == 1
    assert filed.json()["status"] == "open"
    outside = api(case.worker).post("/resources/requests", {
        "grid_code": GRID_C, **WATER, "quantity": 5, "urgency": "critical", "why": "漏水"})
    assert outside.status_code == 422
    assert "grid_code" in outside.json()["errors"]
    unknown = api(case.worker).post("/resources/requests", {
        "grid_code": GRID_A, **WATER, "category": "gold", "quantity": 5, "urgency": "urgent",
        "why": "x"})
    assert unknown.status_code == 422
    assert api(case.department).post("/resources/requests", {
        "grid_code": GRID_A, **WATER, "quantity": 5, "urgency": "urgent",
        "why": "x"}).status_code == 403
    listed = api(case.worker).get("/resources/requests").json()["items"]
    assert {item["id"] for item in listed} == {case.asks_a.pk, filed.json()["id"]}
    assert api(case.worker).get(f"/resources/requests/{case.asks_b.pk}").status_code == 404


def test_run_change_confirm_dispatch_and_deliver(case, api):
    assert api(case.worker).post("/resources/allocations", {
        "code": COMMUNITY_1, "reason": "调配"}).status_code == 403
    community = api(case.community)
    ran = community.post("/resources/allocations", {"code": COMMUNITY_1, "reason": "调配"})
    assert ran.status_code == 201, ran.content
    run = ran.json()
    assert run["unmet"] == [{"request": case.asks_a.pk, "item": "water/瓶装水/箱",
                             "quantity": 10, "why": "kept_for_higher_priority"}]
    to_a = next(line for line in run["shipments"] if line["request_id"] == case.asks_a.pk)
    path = f"/resources/allocations/{run['id']}/shipments/{to_a['id']}"
    too_many = community.send("PATCH", path, {"quantity": 70, "reason": "多送"})
    assert too_many.status_code == 422
    changed = community.send("PATCH", path, {"quantity": 45, "reason": "留5箱"})
    assert changed.status_code == 200, changed.content
    assert changed.json()["unmet"][0]["quantity"] == 15
    confirmed = community.post(f"/resources/allocations/{run['id']}/confirm",
                               {"reason": "确认"})
    assert confirmed.status_code == 200, confirmed.content
    to_a_order = next(order for order in confirmed.json()
                      if order["request_id"] == case.asks_a.pk)
    order_path = f"/resources/dispatches/{to_a_order['id']}"
    early = api(case.worker).post(f"{order_path}/deliver", {"reason": "收到"})
    assert early.status_code == 422  # not dispatched yet
    sent = api(case.community).post(f"{order_path}/dispatch", {"reason": "出库"})
    assert sent.status_code == 200, sent.content
    assert Material.objects.get(pk=case.water.pk).quantity == 100 - 45  # B's 50 wait
    assert api(case.worker_b).post(f"{order_path}/deliver",
                                   {"reason": "收到"}).status_code == 404  # grid B's worker
    delivered = api(case.worker).post(f"{order_path}/deliver", {"reason": "收到"})
    assert delivered.json()["status"] == "delivered"
    assert api(case.outsider).get(order_path).status_code == 404
    assert api(case.community).get(f"/resources/requests/{case.asks_a.pk}").json()["status"] \
        == "delivered"


def test_dispatching_more_than_is_in_stock_is_a_422(case, api):
    community = api(case.community)
    run = community.post("/resources/allocations", {"code": COMMUNITY_1,
                                                     "reason": "调配"}).json()
    orders = community.post(f"/resources/allocations/{run['id']}/confirm",
                            {"reason": "确认"}).json()
    case.water.quantity = 1
    case.water.save()
    order = next(order for order in orders if order["depot_id"] == case.depot.pk)
    refused = community.post(f"/resources/dispatches/{order['id']}/dispatch",
                             {"reason": "出库"})
    assert refused.status_code == 422
    assert "holds only 1" in refused.json()["errors"]["quantity"][0]
