"""Reads of patrols and coverage, always through the caller's jurisdiction.

Coverage answers "which buildings has no patrol visited in the last N days?" per grid: each
count is a subquery on indexed columns (a building's grid, a visit's building and time), so a
district's grids come back in one query, page by page.
"""

import datetime
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, F, IntegerField, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from wangge.access.models import User
from wangge.divisions.models import Grid
from wangge.divisions.selectors import grids_visible_to
from wangge.events.models import Event
from wangge.foundation.permissions import Action, can
from wangge.places.models import Building
from wangge.places.selectors import buildings_visible_to

from .models import Patrol, PatrolVisit


def patrols_visible_to(user: User) -> QuerySet[Patrol]:
    """Patrols in the user's jurisdiction (by the code of the grid walked)."""
    if not can(user, Action.VIEW_PATROLS):
        return Patrol.objects.none()
    return Patrol.objects.in_scope(user.scope_prefixes).select_related("patroller")


def open_patrol_of(user: User) -> Patrol | None:
    """The patrol ``user`` is on now, if any (at most one)."""
    return Patrol.objects.filter(patroller=user).open().first()


def patrol_findings(patrol: Patrol) -> QuerySet[Event]:
    """The events recorded on ``patrol`` (a patrol the caller may see), in the order found."""
    return (Event.objects.filter(patrol_finding__patrol=patrol).select_related("category")
            .order_by("pk"))


def patrol_grids(user: User) -> QuerySet[Grid]:
    """The grids ``user`` may patrol: those in their jurisdiction."""
    if not can(user, Action.PATROL):
        return Grid.objects.none()
    return grids_visible_to(user)


def coverage_since(days: int | None = None) -> datetime.datetime:
    """The start of the coverage window: ``days`` (or WANGGE_PATROL_COVERAGE_DAYS) ago."""
    return timezone.now() - datetime.timedelta(
        days=settings.WANGGE_PATROL_COVERAGE_DAYS if days is None else days)


def _last_visit() -> Subquery:
    return Subquery(PatrolVisit.objects.filter(building=OuterRef("pk"))
                    .order_by("-visited_at").values("visited_at")[:1])


def checklist(patrol: Patrol, user: User, text: str = "") -> QuerySet[Building]:
    """The buildings of the patrol's grid, ``visited`` on this patrol or not, with the last
    visit by anyone; narrowed by name or address."""
    buildings = buildings_visible_to(user).filter(grid_code=patrol.grid_code)
    if text := text.strip():
        buildings = buildings.filter(Q(name__icontains=text) | Q(address__icontains=text))
    return buildings.annotate(
        visited=Exists(PatrolVisit.objects.filter(patrol=patrol, building=OuterRef("pk"))),
        last_visit=_last_visit(),
    ).order_by("visited", "name", "pk")


def _count(queryset: QuerySet) -> Coalesce:
    """The number of rows of ``queryset`` (filtered on the outer grid's code) as a column."""
    counted = (queryset.order_by().values("grid_code").annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def coverage_visible_to(user: User, *, since: datetime.datetime,
                        until: datetime.datetime | None = None) -> QuerySet[Grid]:
    """The user's grids with ``buildings``, ``visited`` (buildings visited since ``since``,
    and before ``until`` if given), ``not_visited`` and ``last_patrol`` (when a patrol last
    started there)."""
    if not can(user, Action.VIEW_PATROLS):
        return Grid.objects.none()
    in_grid = Building.objects.filter(grid_code=OuterRef("code"))
    visits = PatrolVisit.objects.filter(building=OuterRef("pk"), visited_at__gte=since)
    if until is not None:
        visits = visits.filter(visited_at__lt=until)
    visited = in_grid.filter(Exists(visits))
    last_patrol = Subquery(Patrol.objects.filter(grid_code=OuterRef("code"))
                           .order_by("-started_at").values("started_at")[:1])
    return (grids_visible_to(user)
            .annotate(buildings=_count(in_grid), visited=_count(visited),
                      last_patrol=last_patrol)
            .annotate(not_visited=F("buildings") - F("visited")))


# At most this many grids are listed as due on a home page.
DUE_LISTED = 10


def patrols_due(user: User) -> QuerySet[Grid]:
    """The grids ``user`` patrols where buildings wait for a visit (none in the coverage
    window), the most waiting first, with ``buildings``, ``not_visited`` and
    ``last_patrol``: the patrols due on their home page."""
    if not can(user, Action.PATROL):
        return Grid.objects.none()
    # Annotated: the type checker does not know "not_visited" as a field of Grid.
    grids: QuerySet[Any] = coverage_visible_to(user, since=coverage_since())
    return grids.filter(not_visited__gt=0).order_by("-not_visited", "code")


def unvisited_buildings(user: User, grid_code: str, *,
                        since: datetime.datetime) -> QuerySet[Building]:
    """Buildings of a grid no patrol has visited since ``since``, the longest unvisited (or
    never visited) first, with ``last_visit``."""
    if not can(user, Action.VIEW_PATROLS):
        return Building.objects.none()
    return (buildings_visible_to(user).filter(grid_code=grid_code)
            .annotate(last_visit=_last_visit())
            .filter(Q(last_visit__isnull=True) | Q(last_visit__lt=since))
            .order_by(F("last_visit").asc(nulls_first=True), "name", "pk"))


def patroller_summaries(patrols: QuerySet[Patrol]) -> QuerySet:
    """Per patroller: patrols, distinct buildings visited, findings, the last start."""
    return (patrols.order_by().values("patroller", "patroller__username",
                                      "patroller__first_name", "patroller__last_name")
            .annotate(patrols=Count("pk", distinct=True),
                      buildings=Count("visits__building", distinct=True),
                      findings=Count("findings", distinct=True),
                      last_started=Max("started_at"))
            .order_by("-last_started"))
