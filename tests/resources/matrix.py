"""One record of each kind of the resource database filed under a grid, for the matrices of
the back office, the pages and the API."""

import itertools
from decimal import Decimal
from typing import Any

from tests.factories import SYSTEM, centre_of
from wangge.organizations.services import organization_create
from wangge.resources.models import (
    CallablePerson,
    Depot,
    Material,
    MaterialCategory,
    Provider,
    Shelter,
    Utility,
    Vehicle,
)
from wangge.resources.services import (
    allocation_confirm,
    allocation_run,
    resource_create,
    supply_request_create,
)

_serial = itertools.count(1)


def make_resource(model: type, grid: str) -> Any:
    """A ``model`` record in ``grid`` (a material in a new depot there), as the system."""
    serial = next(_serial)
    owner = organization_create(name=f"储备单位{serial}", kind="department", grid_code=grid,
                                by=SYSTEM)
    lon, lat = centre_of(grid)
    placed = {"address": f"应急路{serial}号", "longitude": lon, "latitude": lat}
    fields: dict[str, Any] = {
        Depot: {"name": f"储备点{serial}", "owner": owner, **placed},
        Shelter: {"name": f"避难所{serial}", "capacity": 100, **placed},
        Utility: {"name": f"取水点{serial}", "kind": "water", **placed},
        Provider: {"name": f"食堂{serial}", "kind": "food", "capacity": 200, **placed},
        CallablePerson: {"name": f"电工{serial}", "skills": "电工",
                         "contact_phone": "13900001111", "grid_code": grid},
        Vehicle: {"kind": "货车", "plate": f"鄂A{serial:05d}", "owner": owner,
                  "grid_code": grid},
    }.get(model, {})
    if model is Material:
        fields = {"depot": make_resource(Depot, grid), "item": f"矿泉水{serial}",
                  "category": MaterialCategory.objects.get(code="water"),
                  "quantity": Decimal(10), "unit": "箱"}
    return resource_create(model=model, by=SYSTEM, reason="测试", **fields)


RESOURCE_MODELS = (Depot, Material, Shelter, Utility, Provider, CallablePerson, Vehicle)


def resource_records(grid: str) -> dict[str, Any]:
    """The scene's records of the resource database (tests/scene.py): one of each kind, and
    a depot with nothing in it (one with materials is not deleted)."""
    material = make_resource(Material, grid)
    return {"depot": material.depot, "material": material,
            "empty_depot": make_resource(Depot, grid),
            **{key: make_resource(model, grid) for key, model in (
                ("shelter", Shelter), ("utility", Utility), ("provider", Provider),
                ("callable_person", CallablePerson), ("vehicle", Vehicle))}}


def _placed(records: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"address": "应急路100号", "grid_code": records["grid"], "reason": "新增", **fields}


# Each kind's path, the scene's record of it (and the one deleted), and a body that creates
# one in the side's grid (outside the jurisdiction: refused).
RESOURCE_KINDS: list[tuple[str, str, str, Any]] = [
    ("depots", "depot", "empty_depot", lambda records: _placed(
        records, name="新储备点", owner_id=records["organization"].pk)),
    ("materials", "material", "material", lambda records: {
        "depot_id": records["depot"].pk, "category": "food", "item": "饼干", "quantity": 5,
        "unit": "箱", "reason": "入库"}),
    ("shelters", "shelter", "shelter", lambda records: _placed(
        records, name="新避难所", capacity=10)),
    ("utilities", "utility", "utility", lambda records: _placed(
        records, name="新取水点", kind="water")),
    ("providers", "provider", "provider", lambda records: _placed(
        records, name="新食堂", kind="food", capacity=50)),
    ("people", "callable_person", "callable_person", lambda records: {
        "name": "新电工", "skills": "电工", "contact_phone": "13900002222",
        "grid_code": records["grid"], "reason": "登记"}),
    ("vehicles", "vehicle", "vehicle", lambda records: {
        "kind": "货车", "plate": "鄂B00001", "grid_code": records["grid"],
        "owner_id": records["organization"].pk, "reason": "登记"}),
]


def supply_records(grid: str) -> dict[str, Any]:
    """A request of ``grid``, the allocation run over the grid that serves it, and its
    dispatch order (the back office's lists of supplies)."""
    material = make_resource(Material, grid)
    supply_request_create(grid_code=grid, category=material.category, item=material.item,
                          unit=material.unit, quantity=5, urgency="urgent", why="停水",
                          by=SYSTEM)
    run = allocation_run(code=grid, by=SYSTEM, reason="调配")
    [order] = allocation_confirm(run=run, by=SYSTEM, reason="确认")
    return {"supply_request": order.request, "allocation_run": run, "dispatch_order": order}
