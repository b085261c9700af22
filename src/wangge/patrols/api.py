"""API for patrols: start and end one, check off buildings, record findings as events, read
patrols and the coverage report of a jurisdiction."""

import datetime

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from wangge.events.models import Channel, Event, Priority, State
from wangge.events.selectors import categories_active
from wangge.foundation.api_support import (
    CodeFilter,
    Pages,
    RecordId,
    acting,
    caller,
    referenced,
    visible,
    visible_one,
)
from wangge.foundation.permissions import Action
from wangge.places.selectors import buildings_visible_to

from .models import Patrol, PatrolVisit
from .selectors import (
    coverage_since,
    coverage_visible_to,
    patrol_findings,
    patrols_visible_to,
    unvisited_buildings,
)
from .services import patrol_end, patrol_record_finding, patrol_start, patrol_visit

router = Router(tags=["patrols"])
VIEW = Action.VIEW_PATROLS


class PatrolOut(Schema):
    id: int
    patroller_id: int
    patroller: str = Field(alias="patroller.username")
    grid_code: str
    started_at: datetime.datetime
    ended_at: datetime.datetime | None
    note: str
    visit_count: int = Field(description="Buildings checked off")
    finding_count: int = Field(description="Events recorded on the patrol")


class VisitOut(Schema):
    id: int
    building_id: int
    building: str = Field(alias="building.name")
    visited_at: datetime.datetime
    note: str


class FindingOut(Schema):
    event_id: int = Field(alias="id")
    number: str
    state: State
    grid_code: str
    building_id: int | None


class PatrolDetail(PatrolOut):
    visits: list[VisitOut] = Field(alias="visit_list")
    findings: list[FindingOut] = Field(alias="finding_list")


class PatrolFilter(CodeFilter):
    patroller_id: RecordId | None = None
    open: bool | None = Field(None, description="true: patrols under way; false: ended ones")

    def narrow(self, queryset: QuerySet) -> QuerySet:
        queryset = super().narrow(queryset)
        if self.patroller_id is not None:
            queryset = queryset.filter(patroller_id=self.patroller_id)
        if self.open is not None:
            queryset = queryset.filter(ended_at__isnull=self.open)
        return queryset


class StartIn(Schema):
    grid_code: str = Field(pattern=r"^\d{15}$")
    note: str = Field("", max_length=2000)


class EndIn(Schema):
    note: str = Field("", max_length=2000)


class VisitIn(Schema):
    building_id: RecordId
    note: str = Field("", max_length=200)


class FindingIn(Schema):
    category_id: RecordId
    description: str = Field(max_length=2000)
    priority: Priority = Priority.NORMAL
    building_id: RecordId | None = None
    longitude: float | None = None
    latitude: float | None = None
    address: str = Field("", max_length=200)


class CoverageFilter(CodeFilter):
    days: int | None = Field(None, ge=1, le=3650,
                             description="The window (default WANGGE_PATROL_COVERAGE_DAYS)")


class GridCoverageOut(Schema):
    code: str
    name: str
    buildings: int
    visited: int = Field(description="Buildings visited in the window")
    not_visited: int
    last_patrol: datetime.datetime | None


class UnvisitedOut(Schema):
    id: int
    name: str
    address: str
    last_visit: datetime.datetime | None


class GridCoverageDetail(GridCoverageOut):
    since: datetime.datetime
    unvisited: list[UnvisitedOut]


def _detail(patrol: Patrol) -> Patrol:
    patrol.visit_list = list(patrol.visits.select_related("building"))
    patrol.finding_list = list(patrol_findings(patrol))
    patrol.visit_count = len(patrol.visit_list)
    patrol.finding_count = len(patrol.finding_list)
    return patrol


def _own(request: HttpRequest, id: RecordId) -> Patrol:
    """A patrol in the caller's jurisdiction (else 404); the services then refuse anyone
    but its patroller (403)."""
    return visible_one(request, patrols_visible_to, VIEW, pk=id)


@router.get("/patrols", response=list[PatrolOut])
@paginate(Pages)
def patrol_list(request: HttpRequest, filters: Query[PatrolFilter]) -> QuerySet:
    """Patrols in the jurisdiction, newest first: ``patroller_id`` gives one person's
    history."""
    return filters.narrow(visible(request, patrols_visible_to, VIEW)).with_counts()


@router.get("/patrols/{id}", response=PatrolDetail)
def patrol_get(request: HttpRequest, id: RecordId) -> Patrol:
    return _detail(visible_one(request, patrols_visible_to, VIEW, pk=id))


@router.post("/patrols", response={201: PatrolDetail})
def patrol_post(request: HttpRequest, payload: StartIn) -> Patrol:
    """Start a patrol of a grid; refused (422) while the caller has one open."""
    by = acting(request, Action.PATROL)
    return _detail(patrol_start(grid_code=payload.grid_code, note=payload.note, by=by))


@router.post("/patrols/{id}/end", response=PatrolDetail)
def patrol_end_post(request: HttpRequest, id: RecordId, payload: EndIn) -> Patrol:
    return _detail(patrol_end(patrol=_own(request, id), note=payload.note, by=caller(request)))


@router.post("/patrols/{id}/visits", response={201: VisitOut})
def patrol_visit_post(request: HttpRequest, id: RecordId, payload: VisitIn) -> PatrolVisit:
    """Check off a building of the patrol's grid (again: the same visit comes back)."""
    patrol = _own(request, id)
    building = referenced(request, buildings_visible_to, Action.VIEW_PLACES,
                          field="building_id", pk=payload.building_id)
    return patrol_visit(patrol=patrol, building=building, note=payload.note,
                        by=caller(request))


@router.post("/patrols/{id}/findings", response={201: FindingOut})
def patrol_finding_post(request: HttpRequest, id: RecordId, payload: FindingIn) -> Event:
    """Record a finding: it is reported as an event (the answer's ``event_id``), linked to the
    patrol, and its building is checked off."""
    patrol = _own(request, id)
    category = categories_active().filter(pk=payload.category_id).first()
    if category is None:
        raise ValidationError({"category_id": _("There is no such category.")})
    return patrol_record_finding(
        patrol=patrol, category=category, description=payload.description,
        priority=payload.priority, longitude=payload.longitude, latitude=payload.latitude,
        address=payload.address, channel=Channel.API, by=caller(request),
        building=referenced(request, buildings_visible_to, Action.VIEW_PLACES,
                            field="building_id", pk=payload.building_id))


@router.get("/patrol-coverage", response=list[GridCoverageOut])
@paginate(Pages)
def coverage_list(request: HttpRequest, filters: Query[CoverageFilter]) -> QuerySet:
    """Each grid of the jurisdiction: buildings, how many a patrol visited in the last
    ``days``, how many not, and when a patrol last started there."""
    since = coverage_since(filters.days)
    return filters.narrow(visible(
        request, lambda user: coverage_visible_to(user, since=since), VIEW))


@router.get("/patrol-coverage/{code}", response=GridCoverageDetail)
def coverage_get(request: HttpRequest, code: str,
                 days: int | None = Query(None, ge=1, le=3650)) -> dict:
    """One grid's coverage with the buildings not visited in the window, the longest
    unvisited first."""
    since = coverage_since(days)
    grid = visible_one(request, lambda user: coverage_visible_to(user, since=since), VIEW,
                       code=code)
    unvisited = unvisited_buildings(caller(request), grid.code, since=since)
    return {**{name: getattr(grid, name) for name in GridCoverageOut.model_fields},
            "since": since, "unvisited": list(unvisited)}
