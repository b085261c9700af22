"""Writes for divisions and grids: codes checked against the hierarchy, boundaries validated."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from wangge.foundation.actors import Actor
from wangge.foundation.codes import PARENT_LEVEL, Level, level_of, parent_code
from wangge.foundation.history import delete_unless_used, dependants, save_with_history
from wangge.foundation.permissions import Action, require, require_in_scope

from .geometry import boundary_shape, overlaps
from .models import Division, Grid
from .selectors import filed_under


def division_placed_in_hierarchy(division: Division) -> None:
    """Set a new division's level and parent from its code, refusing a code whose parent is
    missing."""
    level = level_of(division.code)
    if level == Level.GRID:
        raise ValidationError({"code": _("A grid code has 15 digits; create it as a grid.")})
    parent = None
    if level != Level.PROVINCE:
        parent = Division.objects.filter(code=parent_code(division.code)).first()
        if parent is None or parent.level != PARENT_LEVEL[level]:
            raise ValidationError(
                {"code": _("The parent division %(parent)s of %(code)s does not exist yet.")
                 % {"parent": parent_code(division.code), "code": division.code}}
            )
    division.level, division.parent = level, parent


def division_create(*, code: str, name: str, by: Actor, reason: str = "") -> Division:
    require(by, Action.EDIT_DIVISIONS)
    require_in_scope(by, code, "code")
    division = Division(code=code, name=name.strip())
    division_placed_in_hierarchy(division)
    division.full_clean()
    return save_with_history(division, by=by, reason=reason)


def division_update(
    *, division: Division, name: str | None = None, by: Actor, reason: str = ""
) -> Division:
    require(by, Action.EDIT_DIVISIONS)
    if name is not None:
        division.name = name.strip()
    division.full_clean()
    return save_with_history(division, by=by, reason=reason)


def grid_boundary_checked(grid: Grid, boundary: Any) -> dict:
    """Validate a boundary and refuse one that overlaps another grid, naming that grid; set the
    grid's bounding box and return the normalised GeoJSON."""
    try:
        geometry = boundary_shape(boundary)
    except ValidationError as error:
        raise ValidationError({"boundary": error.messages}) from error
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    neighbours = Grid.objects.filter(
        min_lon__lte=max_lon, max_lon__gte=min_lon, min_lat__lte=max_lat, max_lat__gte=min_lat
    ).exclude(pk=grid.pk)
    for neighbour in neighbours:
        if overlaps(geometry, boundary_shape(neighbour.boundary)):
            raise ValidationError(
                {"boundary": _("The boundary overlaps grid %(name)s (%(code)s).")
                 % {"name": neighbour.name, "code": neighbour.code}}
            )
    grid.min_lon, grid.min_lat, grid.max_lon, grid.max_lat = min_lon, min_lat, max_lon, max_lat
    return geometry.__geo_interface__


def grid_community(code: str) -> Division:
    """The community a 15-digit grid code extends."""
    if level_of(code) != Level.GRID:
        raise ValidationError({"code": _("A grid code has 15 digits: its community's 12 and a "
                                         "3-digit sequence.")})
    community = Division.objects.filter(code=code[:12], level=Level.COMMUNITY).first()
    if community is None:
        raise ValidationError(
            {"code": _("No community has the code %(code)s that this grid code extends.")
             % {"code": code[:12]}}
        )
    return community


def grid_create(
    *, code: str, name: str, boundary: Any, by: Actor, reason: str = ""
) -> Grid:
    require(by, Action.EDIT_DIVISIONS)
    require_in_scope(by, code, "code")
    with transaction.atomic():
        grid = Grid(code=code, name=name.strip(), community=grid_community(code))
        grid.boundary = grid_boundary_checked(grid, boundary)
        grid.full_clean()
        return save_with_history(grid, by=by, reason=reason)


def grid_update(
    *, grid: Grid, name: str | None = None, boundary: Any = None, by: Actor,
    reason: str = "",
) -> Grid:
    require(by, Action.EDIT_DIVISIONS)
    with transaction.atomic():
        if name is not None:
            grid.name = name.strip()
        if boundary is not None:
            grid.boundary = grid_boundary_checked(grid, boundary)
        grid.full_clean()
        return save_with_history(grid, by=by, reason=reason)


@transaction.atomic
def division_delete(*, record: Division | Grid, by: Actor, reason: str) -> None:
    """Delete a division or grid nothing is filed under (see ``filed_under``) and nothing
    points at by key: one created by mistake. Anything else is renamed or redrawn."""
    require(by, Action.EDIT_DIVISIONS)
    require_in_scope(by, record.code, "code")
    delete_unless_used(record, by=by, reason=reason,
                       used_by=filed_under(record) or dependants(record))
