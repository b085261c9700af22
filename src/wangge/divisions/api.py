"""API for divisions and grids, keyed by their codes; grids also as GeoJSON for maps."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from wangge.foundation.api_support import (
    IN_USE_ANSWERS,
    CodeFilter,
    DeleteReason,
    Pages,
    Reason,
    acting,
    caller,
    changes,
    visible,
    visible_one,
)
from wangge.foundation.codes import parent_code
from wangge.foundation.permissions import Action

from . import services
from .models import Division, Grid
from .selectors import divisions_visible_to, grids_visible_to
from .services import division_create, division_update, grid_create, grid_update

router = Router(tags=["divisions"])


class DivisionOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None

    @staticmethod
    def resolve_parent_code(division: Division) -> str | None:
        return parent_code(division.code)


class DivisionIn(Reason):
    code: str
    name: str


class DivisionPatch(Reason):
    name: str | None = None


class GridOut(Schema):
    code: str
    name: str
    community_code: str
    boundary: dict[str, Any]

    @staticmethod
    def resolve_community_code(grid: Grid) -> str:
        return grid.community.code


class GridIn(Reason):
    code: str
    name: str
    boundary: dict[str, Any]


class GridPatch(Reason):
    name: str | None = None
    boundary: dict[str, Any] | None = None


@router.get("/divisions", response=list[DivisionOut])
@paginate(Pages)
def division_list(request: HttpRequest, filters: Query[CodeFilter]) -> QuerySet:
    return filters.narrow(visible(request, divisions_visible_to, None))


@router.get("/divisions/{code}", response=DivisionOut)
def division_get(request: HttpRequest, code: str) -> Division:
    return visible_one(request, divisions_visible_to, None, code=code)


@router.post("/divisions", response={201: DivisionOut})
def division_post(request: HttpRequest, payload: DivisionIn) -> Division:
    return division_create(code=payload.code, name=payload.name, by=caller(request),
                           reason=payload.reason)


@router.patch("/divisions/{code}", response=DivisionOut)
def division_patch(request: HttpRequest, code: str, payload: DivisionPatch) -> Division:
    division = visible_one(request, divisions_visible_to, None, code=code)
    return division_update(division=division, by=caller(request), reason=payload.reason,
                           **changes(payload, Division))


@router.delete("/divisions/{code}", response={204: None},
                openapi_extra=IN_USE_ANSWERS)
def division_delete(request: HttpRequest, code: str, payload: DeleteReason) -> None:
    """Delete a division nothing is filed under (409 names what still is); needs a reason."""
    division = visible_one(request, divisions_visible_to, None, code=code)
    services.division_delete(record=division, by=acting(request, Action.EDIT_DIVISIONS),
                             reason=payload.reason)


@router.get("/grids", response=list[GridOut])
@paginate(Pages)
def grid_list(request: HttpRequest, filters: Query[CodeFilter]) -> QuerySet:
    return filters.narrow(visible(request, grids_visible_to, None))


@router.get("/grids/{code}", response=GridOut)
def grid_get(request: HttpRequest, code: str) -> Grid:
    return visible_one(request, grids_visible_to, None, code=code)


@router.post("/grids", response={201: GridOut})
def grid_post(request: HttpRequest, payload: GridIn) -> Grid:
    return grid_create(code=payload.code, name=payload.name, boundary=payload.boundary,
                       by=caller(request), reason=payload.reason)


@router.patch("/grids/{code}", response=GridOut)
def grid_patch(request: HttpRequest, code: str, payload: GridPatch) -> Grid:
    grid = visible_one(request, grids_visible_to, None, code=code)
    return grid_update(grid=grid, by=caller(request), reason=payload.reason,
                       **changes(payload, Grid))


@router.delete("/grids/{code}", response={204: None},
                openapi_extra=IN_USE_ANSWERS)
def grid_delete(request: HttpRequest, code: str, payload: DeleteReason) -> None:
    """Delete a grid nothing is filed under (409 names what still is); needs a reason."""
    grid = visible_one(request, grids_visible_to, None, code=code)
    services.division_delete(record=grid, by=acting(request, Action.EDIT_DIVISIONS),
                             reason=payload.reason)

