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
from wangge.resources.services import resource_create

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
