"""Reads of divisions and grids, and placement of a point in its grid."""

from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.db.models import Model, QuerySet
from shapely.geometry import Point

from wangge.foundation.codes import ScopedQuerySet, prefix_range, scope_prefix

from .geometry import boundary_shape
from .models import Division, Grid


def grid_at(lon: float, lat: float) -> Grid | None:
    """The grid whose boundary contains the point, or None when no grid does."""
    point = Point(lon, lat)
    for grid in Grid.objects.containing_bbox(lon, lat):
        if boundary_shape(grid.boundary).covers(point):
            return grid
    return None


def grid_names(codes: Iterable[str]) -> dict[str, str]:
    """The names of the grids with these codes, in one query (codes without a grid are
    left out): for pages that list records by their grid."""
    codes = set(codes)
    if not codes:
        return {}
    return dict(Grid.objects.filter(code__in=codes).values_list("code", "name"))


def divisions_in(prefixes: Iterable[str]) -> "QuerySet[Division]":
    return Division.objects.in_scope(prefixes)


def grids_in(prefixes: Iterable[str]) -> "QuerySet[Grid]":
    return Grid.objects.in_scope(prefixes).select_related("community")


def divisions_visible_to(user: Any) -> "QuerySet[Division]":
    """Divisions in the user's jurisdictions (reference data: every role may read them)."""
    return divisions_in(user.scope_prefixes)


def grids_visible_to(user: Any) -> "QuerySet[Grid]":
    return grids_in(user.scope_prefixes)


def filed_under(record: Division | Grid) -> list[str]:
    """What is filed under a division's or grid's code, as "kind (count)": every record of a
    model whose queryset is scoped (people, places, organizations, divisions and grids below
    it, ...) and the users who answer for a code in it. Records refer to divisions and grids
    by code, not by key, so ``history.dependants`` alone would miss them."""
    prefix = scope_prefix(record.code)
    found = []
    for model in apps.get_models():
        queryset = _scoped(model)
        if queryset is None:
            continue
        if model is type(record):
            queryset = queryset.exclude(pk=record.pk)
        if count := queryset.in_scope([prefix]).count():
            found.append(f"{model._meta.verbose_name_plural} ({count})")
    jurisdictions = apps.get_model("access", "Jurisdiction").objects.filter(
        prefix_range("code", prefix))
    if count := jurisdictions.count():
        found.append(f"{jurisdictions.model._meta.verbose_name_plural} ({count})")
    return found


def _scoped(model: type[Model]) -> ScopedQuerySet | None:
    queryset = model._default_manager.all()
    return queryset if isinstance(queryset, ScopedQuerySet) else None
