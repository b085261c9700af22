"""Every role × the pages and API of supplies, in and out of the caller's jurisdiction (street
1; grid C is outside): no VIEW_RESOURCES is 403, a record outside is 404 as if it did not
exist, and each write needs its own action (tests/web/test_page_matrix.py and
tests/api/test_access_matrix.py point here)."""

from decimal import Decimal

import pytest

from tests.api.helpers import ApiClient
from tests.factories import COMMUNITY_1, COMMUNITY_2, GRID_C, STREET_1, SYSTEM, make_user
from wangge.foundation.permissions import ROLE_ACTIONS, Action, Role
from wangge.resources.models import MaterialCategory
from wangge.resources.services import (
    allocation_confirm,
    allocation_run,
    material_create,
    supply_request_create,
)


@pytest.fixture
def sides(case):
    """Per side (in, out): a request, a confirmed run and one of its dispatch orders."""
    water = MaterialCategory.objects.get(code="water")
    material_create(depot=case.outside_depot, category=water, item="瓶装水",
                    quantity=Decimal(10), unit="箱", by=SYSTEM, reason="入库")
    supply_request_create(grid_code=GRID_C, category=water, item="瓶装水", unit="箱",
                          quantity=5, urgency="urgent", why="停水", by=SYSTEM)
    result = {}
    for in_scope, code in ((True, COMMUNITY_1), (False, COMMUNITY_2)):
        run = allocation_run(code=code, by=SYSTEM, reason="调配")
        [order, *_] = allocation_confirm(run=run, by=SYSTEM, reason="确认")
        result[in_scope] = {"request": order.request_id, "run": run.pk, "order": order.pk}
    return result


READS = [
    ("page", "/resources/requests/{request}/"), ("page", "/resources/allocations/{run}/"),
    ("api", "/resources/requests/{request}"), ("api", "/resources/allocations/{run}"),
    ("api", "/resources/dispatches/{order}"),
]


@pytest.mark.parametrize("role", Role.values)
def test_reads(role, sides, client):
    client.force_login(make_user(role, STREET_1))
    api = ApiClient(client, {})
    may = Action.VIEW_RESOURCES in ROLE_ACTIONS[role]
    for surface, template in READS:
        for in_scope, records in sides.items():
            path = template.format(**records)
            response = client.get(path) if surface == "page" else api.get(path)
            assert response.status_code == (200 if may and in_scope else 404 if may
                                             else 403), (path, in_scope)
    for page in ("/resources/requests/", "/resources/allocations/"):
        assert client.get(page).status_code == (200 if may else 403)
    if may:
        listed = api.get("/resources/requests").json()["items"]
        assert sides[True]["request"] in {item["id"] for item in listed}
        assert sides[False]["request"] not in {item["id"] for item in listed}


@pytest.mark.parametrize("role", Role.values)
def test_writes_need_their_action(role, sides, client):
    client.force_login(make_user(role, STREET_1))
    api = ApiClient(client, {})
    actions = ROLE_ACTIONS[role]
    filing = api.post("/resources/requests", {
        "grid_code": "420102001001001", "category": "water", "item": "瓶装水", "unit": "箱",
        "quantity": 1, "urgency": "urgent", "why": "停水"})
    assert filing.status_code == (201 if Action.REQUEST_SUPPLIES in actions else 403)
    running = api.post("/resources/allocations", {"code": STREET_1, "reason": "调配"})
    assert running.status_code == (201 if Action.EDIT_RESOURCES in actions else 403)
    outside = api.post("/resources/allocations", {"code": COMMUNITY_2, "reason": "调配"})
    assert outside.status_code == (422 if Action.EDIT_RESOURCES in actions else 403)
    page = client.get("/resources/requests/new/")
    assert page.status_code == (200 if Action.REQUEST_SUPPLIES in actions else 403)
