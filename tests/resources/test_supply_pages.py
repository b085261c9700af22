"""The pages of supplies: a grid worker files a request from a phone, the plan shows its
shortfalls and why, a shipment is changed by hand, the plan confirmed, an order dispatched
and its delivery confirmed by the receiving grid; other roles and places are refused."""

import pytest

from tests.factories import COMMUNITY_1, GRID_A, make_person
from wangge.resources.models import (
    AllocationRun,
    DispatchOrder,
    DispatchStatus,
    MaterialCategory,
    SupplyRequest,
)
from wangge.resources.services import allocation_confirm, allocation_run


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_a_grid_worker_files_a_request(case, as_user):
    client = as_user(case.worker)
    form = client.get("/resources/requests/new/")
    assert form.status_code == 200
    assert 'name="viewport"' in form.content.decode()  # the phone layout
    water = MaterialCategory.objects.get(code="water")
    answer = client.post("/resources/requests/new/", {
        "grid_code": GRID_A, "category": water.pk, "item": "瓶装水", "quantity": "12",
        "unit": "箱", "urgency": "routine", "for_vulnerable": "on", "why": "独居老人"})
    filed = SupplyRequest.objects.latest("pk")
    assert answer.status_code == 302
    assert answer["Location"] == f"/resources/requests/{filed.pk}/"
    assert filed.priority == 1
    assert filed.requested_by == case.worker
    missing = client.post("/resources/requests/new/", {"grid_code": GRID_A})
    assert missing.status_code == 422
    assert as_user(case.department).get("/resources/requests/new/").status_code == 403


def test_a_request_shows_the_grids_vulnerable_residents(case, as_user):
    make_person(GRID_A, vulnerable_tags=["disabled"])
    page = as_user(case.worker).get(f"/resources/requests/{case.asks_a.pk}/")
    assert page.context["record"].vulnerable_residents == 1
    assert as_user(case.worker).get(
        f"/resources/requests/{case.asks_b.pk}/").status_code == 404  # grid B


def test_the_plan_page_explains_each_shortfall_and_takes_changes(case, as_user):
    client = as_user(case.community)
    ran = client.post("/resources/allocations/", {"code": COMMUNITY_1, "reason": "调配"},
                      HTTP_ACCEPT_LANGUAGE="en")
    run = AllocationRun.objects.get()
    assert ran["Location"] == f"/resources/allocations/{run.pk}/"
    page = client.get(f"/resources/allocations/{run.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "10 short" in page.content.decode()
    assert "The stock went to more urgent requests." in page.content.decode()
    line = run.shipments.get(request=case.asks_a)
    refused = client.post(f"/resources/allocations/{run.pk}/shipments/{line.pk}/", {
        f"s{line.pk}-quantity": "55", f"s{line.pk}-depot": case.depot.pk,
        f"s{line.pk}-reason": "多送"}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 422
    assert "holds 100" in refused.content.decode()
    changed = client.post(f"/resources/allocations/{run.pk}/shipments/{line.pk}/", {
        f"s{line.pk}-quantity": "40", f"s{line.pk}-depot": case.depot.pk,
        f"s{line.pk}-reason": "留10箱"})
    assert changed.status_code == 302
    assert line.history.latest().history_change_reason == "留10箱"
    assert as_user(case.worker).post("/resources/allocations/", {
        "code": COMMUNITY_1, "reason": "调配"}).status_code == 403
    assert as_user(case.outsider).get(f"/resources/allocations/{run.pk}/").status_code == 404


def test_dispatch_and_delivery_from_the_pages(case, as_user):
    run = allocation_run(code=COMMUNITY_1, by=case.community, reason="调配")
    client = as_user(case.community)
    confirmed = client.post(f"/resources/allocations/{run.pk}/confirm/",
                            {"confirm-reason": "确认"})
    assert confirmed.status_code == 302
    order = DispatchOrder.objects.get(request=case.asks_a)
    client.post(f"/resources/allocations/dispatches/{order.pk}/dispatch/", {"reason": "出库"})
    order.refresh_from_db()
    assert order.status == DispatchStatus.DISPATCHED
    case.water.refresh_from_db()
    assert case.water.quantity == 50
    # Only the receiving grid confirms delivery.
    as_user(case.worker_b).post(f"/resources/allocations/dispatches/{order.pk}/deliver/",
                                {"reason": "收到"})
    order.refresh_from_db()
    assert order.status == DispatchStatus.DISPATCHED
    page = as_user(case.worker).get(f"/resources/requests/{case.asks_a.pk}/")
    assert f"/resources/allocations/dispatches/{order.pk}/deliver/" in page.content.decode()
    as_user(case.worker).post(f"/resources/allocations/dispatches/{order.pk}/deliver/",
                              {"reason": "收到"})
    order.refresh_from_db()
    assert order.status == DispatchStatus.DELIVERED


def test_an_order_dispatched_twice_is_a_message_not_an_error(case, as_user):
    run = allocation_run(code=COMMUNITY_1, by=case.community, reason="调配")
    [order, *_] = allocation_confirm(run=run, by=case.community, reason="确认")
    client = as_user(case.community)
    path = f"/resources/allocations/dispatches/{order.pk}/dispatch/"
    client.post(path, {"reason": "出库"})
    again = client.post(path, {"reason": "出库"}, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 200
    assert "already been dispatched" in again.content.decode()
