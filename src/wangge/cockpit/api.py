"""API of the cockpit: the same figures as the page, as JSON."""

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from wangge.events.figures import Figures, Satisfied, period_of
from wangge.events.models import Channel
from wangge.foundation.api_support import caller

from .selectors import NOT_DISPATCHED, Cockpit, Unit, cockpit, cockpit_unit

router = Router(tags=["cockpit"])


class PeriodQuery(Schema):
    start: datetime.date | None = Field(
        None, alias="from", description="First day of report (default: 29 days before the "
                                        "end)")
    end: datetime.date | None = Field(
        None, alias="to", description="Last day of report, included (default and at most: "
                                      "today); at most 366 days after the first")


class UnitOut(Schema):
    code: str = Field(description="Division or grid code; empty for the caller's several "
                                  "jurisdictions together")
    name: str
    level: str


class PeriodOut(Schema):
    start: datetime.date = Field(alias="from")
    end: datetime.date = Field(alias="to")
    bucket: str = Field(description="day, or week for a period of 63 days or more")


class FiguresOut(Schema):
    reported: int
    closed: int
    closed_on_time: int
    set_aside: int = Field(description="Declined or merged")
    open: int
    overdue: int = Field(description="Open and past the deadline now")
    closure_rate: float | None = Field(description="closed / (reported − set_aside)")
    on_time_rate: float | None = Field(description="closed_on_time / closed")


class TotalsOut(FiguresOut):
    overdue_now: int = Field(description="Every overdue event, whenever reported")


class StepOut(FiguresOut):
    first: datetime.date
    last: datetime.date


class CategoryFiguresOut(FiguresOut):
    id: int
    name: str


class ChannelFiguresOut(FiguresOut):
    channel: Channel
    label: str


class AreaOut(FiguresOut):
    unit: UnitOut
    overdue_now: int


class CoverageOut(Schema):
    unit: UnitOut
    buildings: int
    visited: int = Field(description="Buildings a patrol visited in the period")
    share: float | None


class CareVisitsOut(Schema):
    unit: UnitOut
    people: int = Field(description="People under a visit rule on the period's last day "
                                    "(a person under two rules counts under each)")
    on_time: int = Field(description="Of them, visited within their rule's interval before "
                                     "that day, or under it for less than an interval")
    share: float | None


class SatisfiedOut(Schema):
    ratings: int = Field(description="Ratings given in the period")
    satisfied: int
    basically: int = Field(description="Basically (partly) satisfied")
    unsatisfied: int
    satisfied_share: float | None = Field(description="satisfied / ratings")


class SatisfiedAreaOut(SatisfiedOut):
    unit: UnitOut


class SatisfiedDepartmentOut(SatisfiedOut):
    organization_id: int | None = Field(description="The organization that handled what was "
                                                    "rated; null: closed without a dispatch")
    name: str


class SatisfactionOut(Schema):
    totals: SatisfiedOut
    areas: list[SatisfiedAreaOut] = Field(description="Per unit one level down (the grid "
                                                      "itself for a grid)")
    departments: list[SatisfiedDepartmentOut] = Field(
        description="Per handling organization, the most rated first")


class RegistryAreaOut(Schema):
    unit: UnitOut
    residents: int
    vulnerable: int


class RegistryOut(Schema):
    residents: int
    households: int
    residence_types: dict[str, int]
    vulnerable_groups: dict[str, int] | None = Field(
        description="Residents per vulnerable group; null for a role that sees the groups "
                    "masked")
    areas: list[RegistryAreaOut]


class CockpitOut(Schema):
    unit: UnitOut
    trail: list[UnitOut] = Field(description="The units above, top first")
    period: PeriodOut
    totals: TotalsOut = Field(description="The events reported in the period")
    series: list[StepOut]
    categories: list[CategoryFiguresOut] = Field(description="Per top category")
    channels: list[ChannelFiguresOut]
    areas: list[AreaOut] = Field(description="Per unit one level down")
    patrols: list[CoverageOut] | None = Field(
        description="Patrol coverage per unit one level down (of the grid itself for a "
                    "grid); null for a role that does not see patrols")
    care_visits: list[CareVisitsOut] | None = Field(
        description="Care visits on time per unit one level down (of the grid itself for a "
                    "grid); null for a role that does not see people's circumstances")
    satisfaction: SatisfactionOut = Field(description="Residents' satisfaction ratings given "
                                                      "in the period to the unit's events")
    registry: RegistryOut | None = Field(description="Null for a role that does not see people")
    unplaced_buildings: int = Field(description="Buildings filed under a division of the "
                                                "unit that no grid covers yet")


def _unit(unit: Unit) -> dict[str, Any]:
    return {"code": unit.code, "name": unit.name, "level": unit.level}


def _figures(figures: Figures, **more: Any) -> dict[str, Any]:
    return {name: getattr(figures, name) for name in FiguresOut.model_fields} | more


def _satisfied(figures: Satisfied, **more: Any) -> dict[str, Any]:
    return {name: getattr(figures, name) for name in SatisfiedOut.model_fields} | more


def answer(found: Cockpit) -> dict[str, Any]:
    """The cockpit as the API answers it."""
    registry = found.registry
    return {
        "unit": _unit(found.unit),
        "trail": [_unit(unit) for unit in found.trail],
        "period": {"from": found.period.start, "to": found.period.end,
                   "bucket": found.period.bucket},
        "totals": _figures(found.totals, overdue_now=found.totals.overdue_now or 0),
        "series": [_figures(figures, first=first, last=last)
                   for first, last, figures in found.series],
        "categories": [_figures(figures, id=category.pk, name=category.name)
                       for category, figures in found.categories],
        "channels": [_figures(figures, channel=channel, label=str(channel.label))
                     for channel, figures in found.channels],
        "areas": [_figures(figures, unit=_unit(unit), overdue_now=figures.overdue_now or 0)
                  for unit, figures in found.areas],
        "patrols": None if found.patrols is None else [
            {"unit": _unit(unit), "buildings": coverage.buildings, "visited": coverage.visited,
             "share": coverage.share} for unit, coverage in found.patrols],
        "care_visits": None if found.care_visits is None else [
            {"unit": _unit(unit), "people": figure.people, "on_time": figure.on_time,
             "share": figure.share} for unit, figure in found.care_visits],
        "satisfaction": {
            "totals": _satisfied(found.satisfaction.totals),
            "areas": [_satisfied(figures, unit=_unit(unit))
                      for unit, figures in found.satisfaction.areas],
            "departments": [
                _satisfied(figures, organization_id=organization and organization.pk,
                           name=organization.name if organization else str(NOT_DISPATCHED))
                for organization, figures in found.satisfaction.departments]},
        "registry": None if registry is None else {
            "residents": registry.residents, "households": registry.households,
            "residence_types": registry.residence_types,
            "vulnerable_groups": registry.vulnerable_groups,
            "areas": [{"unit": _unit(unit), "residents": residents, "vulnerable": vulnerable}
                      for unit, residents, vulnerable in registry.children]},
        "unplaced_buildings": found.unplaced_buildings,
    }


@router.get("/cockpit", response=CockpitOut, by_alias=True)
def cockpit_own(request: HttpRequest, period: Query[PeriodQuery]) -> dict[str, Any]:
    """The cockpit of the caller's jurisdiction (community staff, street officers, district
    administrators): what became of the events reported in the period, over time, per top
    category, channel and unit one level down; patrol coverage, care visits on time,
    residents' satisfaction per unit and per department, and the registry in counts."""
    user = caller(request)
    unit = cockpit_unit(user)
    return answer(cockpit(user, unit, period_of(period.start, period.end)))


@router.get("/cockpit/{code}", response=CockpitOut, by_alias=True)
def cockpit_get(request: HttpRequest, code: str, period: Query[PeriodQuery]) -> dict[str, Any]:
    """The cockpit of a division or grid in the caller's jurisdiction (404 outside it)."""
    user = caller(request)
    unit = cockpit_unit(user, code)
    return answer(cockpit(user, unit, period_of(period.start, period.end)))

