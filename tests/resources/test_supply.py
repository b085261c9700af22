"""Allocation of scarce supplies through the database: requests, a run checked by hand, the
shortfall's why, changes by hand, dispatch (stock taken, never below zero) and delivery."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import (
    COMMUNITY_1,
    GRID_A,
    GRID_B,
    GRID_C,
    SYSTEM,
    make_person,
)
from wangge.notifications.models import STOCK, Notification
from wangge.resources.models import (
    AllocationRun,
    DispatchStatus,
    Material,
    MaterialCategory,
    RequestStatus,
    RunStatus,
)
from wangge.resources.selectors import (
    dispatch_orders_visible_to,
    supply_requests_visible_to,
)
from wangge.resources.services import (
    allocation_confirm,
    allocation_run,
    dispatch_deliver,
    dispatch_send,
    material_adjust,
    shipment_change,
    supply_request_cancel,
    supply_request_create,
)

WATER = "water/瓶装水/箱"


def lines(run: AllocationRun) -> set[tuple[str, int, int]]:
    return {(shipment.depot.name, shipment.request_id, shipment.quantity)
            for shipment in run.shipments.select_related("depot")}


def test_a_request_is_filed_in_ones_own_grid_with_its_priority_and_who_asked(case):
    assert (case.asks_a.priority, case.asks_b.priority) == (2, 1)
    assert case.asks_b.requested_by == case.worker_b
    assert case.asks_b.history.get().history_change_reason == "独居老人停水"
    water = MaterialCategory.objects.get(code="water")
    with pytest.raises(ValidationError) as refused:  # grid C is not the worker's
        supply_request_create(grid_code=GRID_C, category=water, item="瓶装水", unit="箱",
                              quantity=1, urgency="urgent", why="停水", by=case.worker)
    assert "grid_code" in refused.value.message_dict
    with pytest.raises(PermissionDenied):  # a department reads requests, files none
        supply_request_create(grid_code=GRID_A, category=water, item="瓶装水", unit="箱",
                              quantity=1, urgency="urgent", why="停水", by=case.department)
    assert list(supply_requests_visible_to(case.worker)) == [case.asks_a]
    assert list(supply_requests_visible_to(case.outsider)) == []


def test_the_grids_vulnerable_residents_are_counted(case):
    make_person(GRID_B, vulnerable_tags=["elderly_alone"])
    make_person(GRID_B)
    assert {request.grid_code: request.vulnerable_residents
            for request in supply_requests_visible_to(case.community)} == {GRID_A: 0, GRID_B: 1}


def test_the_run_is_the_optimum_worked_out_by_hand(case):
    """Priority 1 (grid B, 80) is covered first: depot B's 30 (0 km) and 50 from depot A;
    depot A's other 50 go to grid A, 10 short. Expired stock is not allocated."""
    run = allocation_run(code=COMMUNITY_1, by=case.community, reason="停水调配")
    assert lines(run) == {("二网格储备点", case.asks_b.pk, 30),
                          ("民意储备点", case.asks_b.pk, 50),
                          ("民意储备点", case.asks_a.pk, 50)}
    assert run.unmet == [{"request": case.asks_a.pk, "item": WATER, "quantity": 10,
                          "why": "kept_for_higher_priority"}]
    assert run.weighted_unmet == 10 * 10
    assert run.transport_km == pytest.approx(50 * 0.958, rel=0.01)  # 0.01° of longitude
    assert run.run_by == case.community
    assert run.status == RunStatus.DRAFT
    assert run.history.get().history_change_reason == "停水调配"
    case.asks_a.refresh_from_db()
    assert case.asks_a.status == RequestStatus.OPEN


def test_a_shortfall_with_too_little_stock_for_its_own_level_is_no_stock(case):
    """50 boxes left in all: grid B's priority 1 goes 30 short, and grid A's level (60)
    would be short even if grid B took none."""
    material_adjust(material=case.water, change=Decimal(-80), by=SYSTEM, reason="损耗")
    run = allocation_run(code=COMMUNITY_1, by=case.community, reason="调配")
    assert {(line["request"], line["quantity"], line["why"]) for line in run.unmet} == {
        (case.asks_a.pk, 60, "no_stock"), (case.asks_b.pk, 30, "no_stock")}


def test_running_is_for_those_who_keep_resources_in_their_jurisdiction(case):
    with pytest.raises(PermissionDenied):
        allocation_run(code=COMMUNITY_1, by=case.worker, reason="调配")
    with pytest.raises(ValidationError):
        allocation_run(code=COMMUNITY_1, by=case.outsider, reason="调配")


def test_a_change_by_hand_is_rechecked_and_recorded(case):
    run = allocation_run(code=COMMUNITY_1, by=case.community, reason="调配")
    to_a = run.shipments.get(request=case.asks_a)
    with pytest.raises(ValidationError, match="holds 100"):  # 50 already go to grid B
        shipment_change(shipment=to_a, quantity=60, by=case.community, reason="多送")
    from_b = run.shipments.get(depot=case.depot_b)
    with pytest.raises(ValidationError, match="asks for 80"):
        shipment_change(shipment=from_b, quantity=31, by=case.community, reason="多送")
    shipment_change(shipment=to_a, quantity=40, by=case.community, reason="留10箱备用")
    assert to_a.history.latest().history_change_reason == "留10箱备用"
    assert to_a.history.latest().history_user == case.community
    run.refresh_from_db()
    assert run.unmet == [{"request": case.asks_a.pk, "item": WATER, "quantity": 20,
                          "why": "kept_for_higher_priority"}]
    assert run.weighted_unmet == 200
    with pytest.raises(ValidationError, match="outside"):
        shipment_change(shipment=to_a, depot=case.outside_depot, by=case.community,
                        reason="换库")


def test_confirming_makes_dispatch_orders_and_dispatch_takes_the_stock(case):
    run = allocation_run(code=COMMUNITY_1, by=case.community, reason="调配")
    orders = allocation_confirm(run=run, by=case.community, reason="确认")
    assert {(order.depot_id, order.request_id, order.quantity) for order in orders} == {
        (case.depot_b.pk, case.asks_b.pk, 30), (case.depot.pk, case.asks_b.pk, 50),
        (case.depot.pk, case.asks_a.pk, 50)}
    case.asks_b.refresh_from_db()
    assert case.asks_b.status == RequestStatus.PLANNED
    with pytest.raises(ValidationError):
        shipment_change(shipment=run.shipments.first(), quantity=1, by=case.community,
                        reason="改")
    with pytest.raises(ValidationError, match="already confirmed"):
        allocation_confirm(run=run, by=case.community, reason="确认")
    for order in orders:
        if order.request_id == case.asks_b.pk:
            dispatch_send(order=order, by=case.community, reason="出库")
    case.water.refresh_from_db()
    case.water_b.refresh_from_db()
    assert (case.water.quantity, case.water_b.quantity) == (50, 0)
    case.asks_b.refresh_from_db()
    assert case.asks_b.status == RequestStatus.DISPATCHED
    told = Notification.objects.filter(recipient=case.worker_b, kind=STOCK)
    assert told.count() == 2  # one per order to grid B
    assert told.first().link == f"/resources/requests/{case.asks_b.pk}/"
    # The receiving grid confirms delivery; another grid's worker may not.
    for order in orders:
        if order.request_id == case.asks_b.pk:
            with pytest.raises(ValidationError):
                dispatch_deliver(order=order, by=case.worker, reason="收到")
            dispatch_deliver(order=order, by=case.worker_b, reason="已收到")
    case.asks_b.refresh_from_db()
    assert case.asks_b.status == RequestStatus.DELIVERED
    assert set(dispatch_orders_visible_to(case.worker_b).values_list("status", flat=True)) \
        == {DispatchStatus.DELIVERED}


def test_dispatch_never_takes_stock_below_zero(case):
    run = allocation_run(code=COMMUNITY_1, by=case.community, reason="调配")
    orders = allocation_confirm(run=run, by=case.community, reason="确认")
    material_adjust(material=case.water, change=Decimal(-95), by=SYSTEM, reason="损耗")
    order = next(order for order in orders if order.request_id == case.asks_a.pk)
    with pytest.raises(ValidationError, match="holds only 5"):
        dispatch_send(order=order, by=case.community, reason="出库")
    assert Material.objects.get(pk=case.water.pk).quantity == 5
    order.refresh_from_db()
    assert order.status == DispatchStatus.PLANNED


def test_a_plan_whose_stock_changed_is_refused_at_confirmation(case):
    run = allocation_run(code=COMMUNITY_1, by=case.community, reason="调配")
    material_adjust(material=case.water_b, change=Decimal(-1), by=SYSTEM, reason="损耗")
    with pytest.raises(ValidationError, match="stock changed"):
        allocation_confirm(run=run, by=case.community, reason="确认")


def test_only_an_open_request_is_cancelled(case):
    supply_request_cancel(request=case.asks_a, by=case.worker, reason="已自行解决")
    assert case.asks_a.status == RequestStatus.CANCELLED
    with pytest.raises(ValidationError):
        supply_request_cancel(request=case.asks_a, by=case.worker, reason="再取消")
    run = allocation_run(code=COMMUNITY_1, by=case.community, reason="调配")
    assert {shipment.request_id for shipment in run.shipments.all()} == {case.asks_b.pk}


def test_a_run_with_nothing_in_stock_explains_every_shortfall(case):
    """An item no depot holds: nothing shipped, every request short for lack of stock."""
    tents = MaterialCategory.objects.get(code="shelter")
    asks = supply_request_create(grid_code=GRID_A, category=tents, item="帐篷", unit="顶",
                                 quantity=3, urgency="critical", why="房屋受损",
                                 by=case.worker)
    run = allocation_run(code=GRID_A, by=case.community, reason="调配")
    assert lines(run) == {("民意储备点", case.asks_a.pk, 60)}
    assert run.unmet == [{"request": asks.pk, "item": "shelter/帐篷/顶", "quantity": 3,
                          "why": "no_stock"}]
    with pytest.raises(ValidationError, match="no open request"):
        allocation_run(code=GRID_C, by=SYSTEM, reason="调配")


def test_a_jurisdiction_beyond_the_solvers_bounds_is_a_clear_refusal(case, monkeypatch):
    monkeypatch.setattr("wangge.resources.allocation.MAX_DEMANDS", 1)
    with pytest.raises(ValidationError, match="too large"):
        allocation_run(code=COMMUNITY_1, by=case.community, reason="调配")
