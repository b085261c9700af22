"""Reads of divisions and grids, and placement of a point in its grid."""

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from shapely.geometry import Point

from .geometry import boundary_shape
from .models import Division, Grid


def grid_at(lon: float, lat: float) -> Grid | None:
    """The grid whose boundary contains the point, or None when no grid does."""
    point = Point(lon, lat)
    for grid in Grid.objects.containing_bbox(lon, lat):
        if boundary_shape(grid.boundary).covers(point):
            return grid
    return None


def divisions_in(prefixes: Iterable[str]) -> "Iterable[Division]":
    return Division.objects.in_scope(prefixes)


def grids_in(prefixes: Iterable[str]) -> "Iterable[Grid]":
    return Grid.objects.in_scope(prefixes).select_related("community")


def divisions_visible_to(user: Any) -> "QuerySet[Division]":
    """Divisions in the user's jurisdictions (reference data: every role may read them)."""
    return Division.objects.in_scope(user.scope_prefixes)


def grids_visible_to(user: Any) -> "QuerySet[Grid]":
    return Grid.objects.in_scope(user.scope_prefixes).select_related("community")
