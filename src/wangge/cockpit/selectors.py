"""The cockpit (驾驶舱): a jurisdiction's figures for a period, composed from the apps' own
selectors, each scoped to the caller (events.figures, patrols.selectors, people.selectors).

A *unit* is what the cockpit is open on: a division or grid within the caller's jurisdiction
(anything else is 404, as for a code that does not exist), or, for someone who answers for
several, all of them together. Its children are the units one level down (a district's
streets, a street's communities, a community's grids); each chart counts per child, and a
click on a child opens the cockpit on it.

One function per chart (the benchmark times each, at each level): ``totals``, ``series``,
``categories``, ``channels``, ``areas``, ``patrols``, ``care_visits``, ``satisfaction``
and ``registry``.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.utils.translation import gettext_lazy

from wangge.access.models import User
from wangge.care.selectors import OnTime, visits_on_time
from wangge.divisions.selectors import Area as Unit
from wangge.divisions.selectors import area_trail, jurisdiction_area
from wangge.events.figures import (
    Figures,
    Period,
    Satisfied,
    event_totals,
    events_by_area,
    events_by_category,
    events_by_channel,
    events_over_time,
    satisfaction_by_area,
    satisfaction_by_organization,
    satisfaction_totals,
)
from wangge.events.models import Category, Channel
from wangge.events.tally import day_start
from wangge.foundation.codes import narrowed
from wangge.foundation.permissions import Action, SensitiveField, can, require, sees_unmasked
from wangge.organizations.models import Organization
from wangge.patrols.selectors import coverage_visible_to
from wangge.people.models import ResidenceType, VulnerableTag
from wangge.people.selectors import households_visible_to, residents_counted
from wangge.places.models import PlaceQuerySet
from wangge.places.selectors import buildings_visible_to
from wangge.populations.selectors import sees_circumstances


def cockpit_unit(user: User, code: str | None = None) -> Unit:
    """The unit ``code`` names within the caller's jurisdiction (404 otherwise), or without a
    code the caller's own: the one division or grid they answer for, or all of them."""
    require(user, Action.VIEW_COCKPIT)
    return jurisdiction_area(user, code)


def cockpit_trail(user: User, unit: Unit) -> list[Unit]:
    """The units above ``unit`` that the caller may open, top first."""
    return area_trail(user, unit)


def totals(user: User, unit: Unit, period: Period) -> Figures:
    return event_totals(user, list(unit.prefixes), period)


def series(user: User, unit: Unit, period: Period
           ) -> list[tuple[datetime.date, datetime.date, Figures]]:
    return events_over_time(user, list(unit.prefixes), period)


def categories(user: User, unit: Unit, period: Period) -> list[tuple[Category, Figures]]:
    return events_by_category(user, list(unit.prefixes), period)


def channels(user: User, unit: Unit, period: Period) -> list[tuple[Channel, Figures]]:
    return events_by_channel(user, list(unit.prefixes), period)


def _per_child(unit: Unit, count: Callable[[list[str], int], dict[str, Any]],
               targets: tuple[Unit, ...] | None = None) -> dict[str, Any]:
    """``count(prefixes, digits)`` per child of ``unit`` (or per unit of ``targets``), by
    area prefix: one call per length of their prefixes (one, unless someone answers for a
    street and a grid)."""
    found: dict[str, Any] = {}
    lengths = defaultdict(list)
    for child in unit.children if targets is None else targets:
        lengths[len(child.prefix)].append(child.prefix)
    for digits, prefixes in lengths.items():
        found |= count(list(unit.prefixes) if unit.code else prefixes, digits)
    return found


def areas(user: User, unit: Unit, period: Period) -> list[tuple[Unit, Figures]]:
    """Each child of ``unit`` with its figures (and every overdue event it holds)."""
    counted = _per_child(unit, lambda prefixes, digits: events_by_area(
        user, prefixes, period, digits))
    return [(child, counted.get(child.prefix) or Figures(overdue_now=0))
            for child in unit.children]


@dataclass(frozen=True)
class Coverage:
    """Buildings of an area, and how many a patrol visited in the period."""

    buildings: int
    visited: int

    @property
    def share(self) -> float | None:
        return self.visited / self.buildings if self.buildings else None


def patrols(user: User, unit: Unit, period: Period) -> list[tuple[Unit, Coverage]] | None:
    """Each child of ``unit`` with its patrol coverage in the period; None for a role that
    does not see patrols."""
    if not can(user, Action.VIEW_PATROLS):
        return None
    since = day_start(period.start)
    until = day_start(period.end + datetime.timedelta(days=1))

    def count(prefixes: list[str], digits: int) -> dict[str, Coverage]:
        areas: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        grids = narrowed(coverage_visible_to(user, since=since, until=until), prefixes)
        # Annotated by the coverage selector (the type checker does not see through it).
        rows: Iterable[dict[str, Any]] = cast(Any, grids).values("code", "buildings",
                                                                 "visited")
        for grid in rows:
            areas[grid["code"][:digits]][0] += grid["buildings"]
            areas[grid["code"][:digits]][1] += grid["visited"]
        return {area: Coverage(*counts) for area, counts in areas.items()}

    # A grid has no children: its own coverage, then.
    targets = unit.children or (unit,)
    counted = _per_child(unit, count, targets)
    return [(target, counted.get(target.prefix, Coverage(0, 0))) for target in targets]


def care_visits(user: User, unit: Unit, period: Period) -> list[tuple[Unit, OnTime]] | None:
    """Each child of ``unit`` (the grid itself for a grid) with the people under a visit
    rule on the period's last day and how many were visited on time as of it; None for a
    role that does not see people's circumstances."""
    if not sees_circumstances(user):
        return None
    targets = unit.children or (unit,)
    counted = _per_child(unit, lambda prefixes, digits: visits_on_time(
        user, prefixes, digits, on=period.end), targets)
    return [(target, counted.get(target.prefix, OnTime(0, 0))) for target in targets]


# How the ratings of events closed without a dispatch are named among the departments.
NOT_DISPATCHED = gettext_lazy("Closed without a dispatch")


@dataclass(frozen=True)
class Satisfaction:
    """The satisfaction ratings given in the period to the unit's events: in all, per unit
    one level down (the grid itself for a grid), and per organization that handled what was
    rated (None: closed without a dispatch)."""

    totals: Satisfied
    areas: list[tuple[Unit, Satisfied]]
    departments: list[tuple[Organization | None, Satisfied]]


def satisfaction(user: User, unit: Unit, period: Period) -> Satisfaction:
    targets = unit.children or (unit,)
    counted = _per_child(unit, lambda prefixes, digits: satisfaction_by_area(
        user, prefixes, period, digits), targets)
    prefixes = list(unit.prefixes)
    return Satisfaction(
        totals=satisfaction_totals(user, prefixes, period),
        areas=[(target, counted.get(target.prefix, Satisfied())) for target in targets],
        departments=satisfaction_by_organization(user, prefixes, period))


@dataclass(frozen=True)
class Registry:
    """The registry of a unit in counts: residents per residence type, households, residents
    per vulnerable group (None for a role that sees the groups masked), and per child its
    residents and vulnerable residents."""

    residents: int
    households: int
    residence_types: dict[str, int]
    vulnerable_groups: dict[str, int] | None
    children: list[tuple[Unit, int, int]]


def registry(user: User, unit: Unit) -> Registry | None:
    """None for a role that does not see people."""
    if not can(user, Action.VIEW_PEOPLE):
        return None
    types = dict.fromkeys(ResidenceType.values, 0)
    groups = dict.fromkeys(VulnerableTag.values, 0)
    areas: dict[str, list[int]] = defaultdict(lambda: [0, 0])

    def count(prefixes: list[str], digits: int) -> dict[str, None]:
        for row in residents_counted(user, prefixes, digits):
            types[row["residence_type"]] = types.get(row["residence_type"], 0) + row["residents"]
            areas[row["area"]][0] += row["residents"]
            areas[row["area"]][1] += row["vulnerable"]
            for tag in groups:
                groups[tag] += row.get(tag, 0)
        return {}

    # A grid has no children: counted as its own area then.
    _per_child(unit, count, unit.children or (unit,))
    return Registry(
        residents=sum(types.values()),
        households=narrowed(households_visible_to(user), list(unit.prefixes)).count(),
        residence_types=types,
        vulnerable_groups=(groups if sees_unmasked(user, SensitiveField.VULNERABLE_TAGS)
                           else None),
        children=[(child, areas[child.prefix][0], areas[child.prefix][1])
                  for child in unit.children])


@dataclass(frozen=True)
class Cockpit:
    """Everything the cockpit shows for ``unit`` over ``period`` (the page and the API)."""

    unit: Unit
    trail: list[Unit]
    period: Period
    totals: Figures
    series: list[tuple[datetime.date, datetime.date, Figures]]
    categories: list[tuple[Category, Figures]]
    channels: list[tuple[Channel, Figures]]
    areas: list[tuple[Unit, Figures]]
    patrols: list[tuple[Unit, Coverage]] | None
    care_visits: list[tuple[Unit, OnTime]] | None
    satisfaction: Satisfaction
    registry: Registry | None
    unplaced_buildings: int  # filed under a division of the unit, in no grid yet


def cockpit(user: User, unit: Unit, period: Period) -> Cockpit:
    return Cockpit(
        unit=unit, trail=cockpit_trail(user, unit), period=period,
        totals=totals(user, unit, period), series=series(user, unit, period),
        categories=categories(user, unit, period), channels=channels(user, unit, period),
        areas=areas(user, unit, period), patrols=patrols(user, unit, period),
        care_visits=care_visits(user, unit, period),
        satisfaction=satisfaction(user, unit, period),
        registry=registry(user, unit),
        unplaced_buildings=narrowed(cast(PlaceQuerySet, buildings_visible_to(user)).unplaced(),
                                    list(unit.prefixes)).count())
