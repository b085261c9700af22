"""Reads of divisions and grids, and placement of a point in its grid."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import F, Model, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _
from shapely.geometry import Point

from wangge.foundation.codes import Level, ScopedQuerySet, parent_code, prefix_range, scope_prefix

from .geometry import boundary_shape
from .models import Division, Grid


def grid_at(lon: float, lat: float) -> Grid | None:
    """The grid whose boundary contains the point, or None when no grid does."""
    point = Point(lon, lat)
    for grid in Grid.objects.containing_bbox(lon, lat):
        if boundary_shape(grid.boundary).covers(point):
            return grid
    return None


def grid_point(code: str) -> tuple[float, float] | None:
    """A point inside grid ``code`` (None when there is no such grid): where a report about
    someone without a dwelling is placed."""
    grid = Grid.objects.filter(code=code).first()
    if grid is None:
        return None
    point = boundary_shape(grid.boundary).representative_point()
    return point.x, point.y


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


# Names instead of codes. Division and grid names are reference data every role may read (as
# ``divisions_visible_to`` says), so naming a code needs no scope; what the code is attached
# to (a patrol, a household) was read through its own selector.


def area_name(field: str = "grid_code") -> Coalesce:
    """The name of the grid or division whose code is in ``field`` (the code itself when none
    has it), for ``.annotate(area_name=area_name("grid_code"))``: one lookup on the unique
    code inside the list's own query, so a page of a thousand rows is still one query."""
    return Coalesce(
        Subquery(Grid.objects.filter(code=OuterRef(field)).order_by().values("name")[:1]),
        Subquery(Division.objects.filter(code=OuterRef(field)).order_by().values("name")[:1]),
        F(field),
    )


def area_names(codes: Iterable[str]) -> dict[str, str]:
    """``{code: name}`` for the grids and divisions among ``codes``, in one query (a code
    nobody has is left out: ``names.get(code, code)``)."""
    codes = {code for code in codes if code}
    if not codes:
        return {}
    grids = Grid.objects.filter(code__in=codes).order_by().values_list("code", "name")
    divisions = Division.objects.filter(code__in=codes).order_by().values_list("code", "name")
    return dict(grids.union(divisions, all=True))


def with_area_names(records: Iterable[Any], field: str = "grid_code",
                    to: str = "area_name") -> list[Any]:
    """The records (loaded already: a page, a list), each with ``to`` set to the name of the
    area whose code is its ``field``; one query for all of them."""
    records = list(records)
    names = area_names(getattr(record, field) for record in records)
    for record in records:
        code = getattr(record, field)
        setattr(record, to, names.get(code, code))
    return records


def area_choices(prefixes: Iterable[str], *, grid_limit: int) -> list[tuple[str, str]]:
    """The divisions and grids within ``prefixes`` as (code, name) choices, each area right
    after the one it is in and its name indented one step below it; grids only up to
    ``grid_limit`` of them (above it, divisions alone)."""
    prefixes = list(prefixes)
    areas = list(divisions_in(prefixes).values_list("code", "name"))
    grids = grids_in(prefixes)
    if grids.count() <= grid_limit:
        areas += grids.values_list("code", "name")
    areas.sort(key=lambda area: scope_prefix(area[0]))
    top = min((len(scope_prefix(code)) for code, _name in areas), default=0)
    # Levels are 2 or 3 digits apart; a step of indent per level below the top one.
    return [(code, "\u00a0\u00a0" * ((len(scope_prefix(code)) - top + 2) // 3) + name)
            for code, name in areas]


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


@dataclass(frozen=True)
class Area:
    """What a dashboard is open on: a division, a grid, or (``code`` "") the caller's several
    jurisdictions together; its children are the areas one level down."""

    code: str
    name: str
    level: str  # its level's label
    prefixes: tuple[str, ...]
    children: tuple["Area", ...] = field(default=(), compare=False)

    @property
    def prefix(self) -> str:
        return self.prefixes[0] if len(self.prefixes) == 1 else ""

    @property
    def is_grid(self) -> bool:
        return len(self.code) == 15


def jurisdiction_area(user: Any, code: str | None = None) -> Area:
    """The area ``code`` names within the caller's jurisdiction (404 otherwise, as for a code
    that does not exist), or without a code the caller's own: the one division or grid they
    answer for, or all of them. The caller checks the action first."""
    scope = user.scope_prefixes
    if code is not None:
        if not (code.isdigit() and len(code) in (12, 15)):
            raise Http404
        found: Division | Grid | None = (grids_in(scope) if len(code) == 15
                                         else divisions_in(scope)).filter(code=code).first()
        if found is None:
            raise Http404
        return _area(found, _children(scope, found))
    roots = _roots(user)
    if len(roots) == 1:
        return _area(roots[0], _children(scope, roots[0]))
    return Area("", _("My jurisdiction"), "", tuple(scope), tuple(_area(root) for root in roots))


def area_trail(user: Any, area: Area) -> list[Area]:
    """The areas above ``area`` that the caller may open, top first (the several
    jurisdictions together first, for someone who has several)."""
    above = []
    current = parent_code(area.code) if area.code else None
    while current:
        above.append(current)
        current = parent_code(current)
    trail = [_area(division) for division in
             divisions_in(user.scope_prefixes).filter(code__in=above).order_by("code")]
    if area.code and len(_roots(user)) > 1:
        trail.insert(0, Area("", _("My jurisdiction"), "", tuple(user.scope_prefixes)))
    return trail


def _area(record: Division | Grid, children: tuple[Area, ...] = ()) -> Area:
    level = Level.GRID if isinstance(record, Grid) else Level(record.level)
    return Area(record.code, record.name, str(level.label), (scope_prefix(record.code),),
                children)


def _children(scope: Iterable[str], record: Division | Grid) -> tuple[Area, ...]:
    if isinstance(record, Grid):
        return ()
    divisions = divisions_in(scope).filter(parent=record).order_by("code")
    grids = grids_in(scope).filter(community=record).order_by("code")
    return (*(_area(division) for division in divisions), *(_area(grid) for grid in grids))


def _roots(user: Any) -> list[Division | Grid]:
    if user.is_superuser:
        return list(Division.objects.filter(parent__isnull=True).order_by("code"))
    codes = [jurisdiction.code for jurisdiction in user.jurisdictions.all()]
    scope = user.scope_prefixes
    return [*divisions_in(scope).filter(code__in=codes).order_by("code"),
            *grids_in(scope).filter(code__in=codes).order_by("code")]
