"""API of the risk map: the dashboard of an area as JSON, and its grids and buildings as GeoJSON
coloured by grade."""

import datetime
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema

from wangge.foundation.api_support import (
    GEOJSON_ANSWER,
    CodeFilter,
    also_answers,
    caller,
    feature_collection,
    purpose_header,
    stated_purpose,
)

from .dashboard import (
    Area,
    Counts,
    Dashboard,
    building_features,
    dashboard,
    filtered_area,
    grid_features,
    risk_area,
)
from .map_views import persons_read_logged
from .models import Level, SubjectKind

router = Router(tags=["risk"])

LOGGED_ANSWERS = also_answers(503, meaning={503: gettext_lazy(
    "Persons' grades would be shown, and the read could not be logged: nothing is answered "
    "unlogged.")})


class RiskAreaOut(Schema):
    code: str = Field(description="Division or grid code; empty for the caller's several "
                                  "jurisdictions together")
    name: str
    level: str


class RiskLevelsOut(Schema):
    high: int
    medium: int


class RiskCountsOut(Schema):
    person: RiskLevelsOut = Field(description="Persons, in numbers only")
    building: RiskLevelsOut
    grid: RiskLevelsOut
    community: RiskLevelsOut


class RiskChildOut(Schema):
    area: RiskAreaOut
    level: int = Field(description="The area's own grade (0 low, 1 medium, 2 high); 0 for a "
                                   "street or district, which are not graded")
    counts: RiskCountsOut


class RiskSeriesOut(Schema):
    high: list[int] = Field(description="One number per day")
    medium: list[int]


class RiskTrendOut(Schema):
    days: list[datetime.date]
    person: RiskSeriesOut = Field(description="Persons, in numbers only")
    building: RiskSeriesOut
    grid: RiskSeriesOut
    community: RiskSeriesOut


class RiskChangeOut(Schema):
    kind: SubjectKind
    key: str = Field(description="The building's or person's id, the grid's or community's "
                                 "code")
    name: str
    before: int
    after: int
    reasons: list[str] = Field(description="Why, in words")
    at: datetime.datetime


class RiskChangesOut(Schema):
    listed: list[RiskChangeOut] = Field(description="The latest, newest first (at most 100)")
    total: int = Field(description="Every change today, persons' included")
    persons_counted: int = Field(description="Persons' changes the caller sees only counted "
                                             "(a role that sees health status masked)")


class RiskBuildingOut(Schema):
    id: int
    name: str
    level: int
    reasons: list[str]


class RiskDashboardOut(Schema):
    area: RiskAreaOut
    trail: list[RiskAreaOut] = Field(description="The areas above, top first")
    level: int = Field(description="The area's own grade (a community's or grid's)")
    reasons: list[str]
    counts: RiskCountsOut = Field(description="Subjects at high and medium risk in the area")
    areas: list[RiskChildOut] = Field(description="Per area one level down")
    trend: RiskTrendOut = Field(description="Subjects at each level at the end of each of the "
                                        "last 14 days (today: now), per kind")
    changes: RiskChangesOut = Field(description="What changed today and why")
    buildings: list[RiskBuildingOut] = Field(description="A grid's buildings at medium or high "
                                                     "risk; empty above a grid")


def _area(area: Area) -> dict[str, Any]:
    return {"code": area.code, "name": area.name, "level": area.level}


def _counts(counts: Counts) -> dict[str, Any]:
    return {kind: {"high": levels[Level.HIGH], "medium": levels[Level.MEDIUM]}
            for kind, levels in counts.items()}


def answer(found: Dashboard) -> dict[str, Any]:
    return {
        "area": _area(found.area), "trail": [_area(area) for area in found.trail],
        "level": found.own_level, "reasons": found.own_reasons,
        "counts": _counts(found.counts),
        "areas": [{"area": _area(child.area), "level": child.level,
                   "counts": _counts(child.counts)} for child in found.children],
        "trend": {"days": found.trend.days, **{
            kind: {"high": levels[Level.HIGH], "medium": levels[Level.MEDIUM]}
            for kind, levels in found.trend.counts.items()}},
        "changes": {"listed": [
            {"kind": change.kind, "key": change.key, "name": change.name,
             "before": change.before, "after": change.after, "reasons": change.reasons,
             "at": change.at} for change in found.changes.listed],
            "total": found.changes.total, "persons_counted": found.changes.persons_counted},
        "buildings": [{"id": building.id, "name": building.name, "level": building.level,
                       "reasons": building.reasons} for building in found.buildings],
    }


PURPOSE = ("Why the caller reads persons' grades (health data), kept in the access log; "
           "without it, health monitoring. Only roles that see health status unmasked see "
           "whose grade changed.")


def _dashboard(request: HttpRequest, code: str | None) -> dict[str, Any]:
    user = caller(request)
    found = dashboard(user, risk_area(user, code))
    persons_read_logged(request, user, found, purpose=stated_purpose(request), required=True)
    return answer(found)


@router.get("/risk/dashboard", response=RiskDashboardOut, openapi_extra=LOGGED_ANSWERS)
def risk_dashboard_own(request: HttpRequest,
                       x_purpose: str = purpose_header(PURPOSE)) -> dict[str, Any]:
    """The risk dashboard of the caller's jurisdiction: subjects at high and medium risk, per
    area one level down, their trend over 14 days, and what changed today and why."""
    return _dashboard(request, None)


@router.get("/risk/dashboard/{code}", response=RiskDashboardOut, openapi_extra=LOGGED_ANSWERS)
def risk_dashboard(request: HttpRequest, code: str,
                   x_purpose: str = purpose_header(PURPOSE)) -> dict[str, Any]:
    """The risk dashboard of a division or grid in the caller's jurisdiction (404 outside
    it)."""
    return _dashboard(request, code)


@router.get("/risk/grids.geojson", openapi_extra=GEOJSON_ANSWER)
def risk_grid_geojson(request: HttpRequest, filters: Query[CodeFilter]) -> JsonResponse:
    """Every visible grid (of ``code``) with its grade: ``level`` (0 low, 1 medium, 2 high),
    ``level_label`` and ``reasons`` in words; at most 3,000 grids (a larger area answers
    none: narrow it to a street or community)."""
    user = caller(request)
    found = grid_features(user, filtered_area(user, filters.code))
    return feature_collection(found["features"] if found else [])


@router.get("/risk/buildings.geojson", openapi_extra=GEOJSON_ANSWER)
def risk_building_geojson(request: HttpRequest, filters: Query[CodeFilter]) -> JsonResponse:
    """Buildings with a location and their grade: for a grid's code every building of the
    grid (low ones with ``level`` 0), otherwise those at medium or high risk, the highest
    first; at most 2,000."""
    user = caller(request)
    return feature_collection(building_features(user, filtered_area(user, filters.code))[
        "features"])
