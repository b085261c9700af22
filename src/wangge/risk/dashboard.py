"""Reads of risk grades: the risk map and dashboard of an area (分级分类), scoped by the
caller's jurisdiction.

An *area* is what the dashboard is open on: a division or grid within the caller's
jurisdiction (anything else is 404, as for a code that does not exist), or, for someone who
answers for several, all of them together. Its children are the areas one level down (a
district's streets, a street's communities, a community's grids); a grid's are its buildings,
the last step of the drill-down.

Persons' grades are health data: every role that may view risk sees them counted; only a role
that sees health status unmasked (``sees_persons``) sees whose they are, and the page or API
that shows them logs the read.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import Substr, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.access.models import User
from wangge.divisions.models import Division, Grid
from wangge.divisions.selectors import Area, area_trail, grids_in, jurisdiction_area
from wangge.foundation.codes import scope_prefix
from wangge.foundation.permissions import (
    Action,
    Asker,
    SensitiveField,
    can,
    require,
    sees_unmasked,
)
from wangge.people.selectors import persons_visible_to
from wangge.places.selectors import buildings_visible_to

from .display import level_label, reasons_text
from .models import Grade, GradeChange, Level, SubjectKind

# The days of the trend, today included.
TREND_DAYS = 14
# At most this many of today's changes are listed (the rest are counted).
CHANGES_LISTED = 100
# At most this many grids on one map (a city's would not draw on a phone), and at most this
# many graded buildings above a grid (the highest first).
MAP_GRID_LIMIT = 3000
MAP_BUILDING_LIMIT = 2000
# Graded levels: a subject without a grade is low.
GRADED = (Level.MEDIUM, Level.HIGH)


def sees_persons(user: Asker) -> bool:
    """Whether ``user`` sees whose a person's grade is (health status unmasked); every role
    that views risk sees persons counted."""
    return sees_unmasked(user, SensitiveField.HEALTH_STATUS)


def grades_visible_to(user: User) -> QuerySet[Grade]:
    """Grades in the user's jurisdiction (none for a role that may not view risk). Persons'
    grades are among them: callers show them as counts unless ``sees_persons``."""
    if not can(user, Action.VIEW_RISK):
        return Grade.objects.none()
    return Grade.objects.in_scope(user.scope_prefixes)


def grade_changes_visible_to(user: User) -> QuerySet[GradeChange]:
    if not can(user, Action.VIEW_RISK):
        return GradeChange.objects.none()
    return GradeChange.objects.in_scope(user.scope_prefixes)


def risk_area(user: User, code: str | None = None) -> Area:
    """The area ``code`` names within the caller's jurisdiction (404 otherwise), or without a
    code the caller's own: the one division or grid they answer for, or all of them."""
    require(user, Action.VIEW_RISK)
    return jurisdiction_area(user, code)


def filtered_area(user: User, code: str = "") -> Area:
    """The area a GeoJSON filter names: ``code`` a grid or division code (its jurisdiction)
    or any leading digits of one, within the caller's jurisdiction; outside it the area holds
    nothing (as every ``?code=`` filter of the API); without it, the caller's jurisdiction."""
    require(user, Action.VIEW_RISK)
    if not code:
        return Area("", "", "", tuple(user.scope_prefixes))
    prefix = scope_prefix(code) if len(code) in (12, 15) else code
    return Area(code, "", "", (prefix,))


def risk_trail(user: User, area: Area) -> list[Area]:
    """The areas above ``area`` that the caller may open, top first."""
    return area_trail(user, area)


def _in(queryset: QuerySet, area: Area) -> QuerySet:
    return queryset.in_scope(area.prefixes)  # type: ignore[attr-defined]


# --- counts -------------------------------------------------------------------------------

Counts = dict[str, dict[int, int]]  # kind → level → subjects


def _empty() -> Counts:
    return {kind: dict.fromkeys(GRADED, 0) for kind in SubjectKind.values}


def level_counts(user: User, area: Area) -> Counts:
    """Subjects of each kind at each graded level in ``area`` (persons too: as numbers)."""
    counts = _empty()
    rows = (_in(grades_visible_to(user), area).order_by().values("kind", "level")
            .annotate(subjects=Count("pk")))
    for row in rows:
        counts[row["kind"]][row["level"]] = row["subjects"]
    return counts


@dataclass(frozen=True)
class ChildCounts:
    area: Area
    counts: Counts
    level: int  # the child's own grade (low for a street, which has none)


def child_counts(user: User, area: Area) -> list[ChildCounts]:
    """Each child of ``area`` with its subjects per kind and level, and its own grade: one
    grouped query per length of the children's prefixes."""
    found: dict[str, Counts] = defaultdict(_empty)
    lengths: dict[int, list[str]] = defaultdict(list)
    for child in area.children:
        lengths[len(child.prefix)].append(child.prefix)
    grades = _in(grades_visible_to(user), area)
    for digits in lengths:
        rows = (grades.order_by().annotate(area=Substr("grid_code", 1, digits))
                .values("area", "kind", "level").annotate(subjects=Count("pk")))
        for row in rows:
            found[row["area"]][row["kind"]][row["level"]] = row["subjects"]
    codes = [child.code for child in area.children]
    own = dict(grades.filter(kind__in=[SubjectKind.GRID, SubjectKind.COMMUNITY], key__in=codes)
               .values_list("key", "level")) if codes else {}
    return [ChildCounts(child, found[child.prefix], own.get(child.code, Level.LOW))
            for child in area.children]


# --- the trend ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Trend:
    """Per day (the last ``TREND_DAYS``, today last), how many subjects of each kind stood at
    each graded level at the end of the day (today: now)."""

    days: list[datetime.date]
    counts: dict[str, dict[int, list[int]]]  # kind → level → one number per day


def trend(user: User, area: Area, *, days: int = TREND_DAYS,
          today: datetime.date | None = None) -> Trend:
    """Reconstructed from the grades now and the changes since: walking back a day, a
    subject that arrived at a level that day was not there the evening before, and one that
    left it was. One grouped query for the grades, one for the changes."""
    today = today or timezone.localdate()
    span = [today - datetime.timedelta(days=back) for back in range(days - 1, -1, -1)]
    now = level_counts(user, area)
    # The changes after the end of the first day.
    since = timezone.make_aware(datetime.datetime.combine(span[0] + datetime.timedelta(days=1),
                                                          datetime.time.min))
    moves: dict[tuple[str, datetime.date], dict[int, int]] = defaultdict(
        lambda: defaultdict(int))
    rows = (_in(grade_changes_visible_to(user), area).filter(at__gte=since).order_by()
            .annotate(day=TruncDate("at", tzinfo=timezone.get_current_timezone()))
            .values("kind", "day", "before", "after").annotate(changes=Count("pk")))
    for row in rows:
        net = moves[row["kind"], row["day"]]
        net[row["after"]] += row["changes"]
        net[row["before"]] -= row["changes"]
    counts: dict[str, dict[int, list[int]]] = {}
    for kind in SubjectKind.values:
        counts[kind] = {}
        for level in GRADED:
            evening = now[kind][level]
            series = [evening]
            for day in reversed(span[1:]):
                evening -= moves.get((kind, day), {}).get(level, 0)
                series.append(evening)
            counts[kind][level] = list(reversed(series))
    return Trend(days=span, counts=counts)


# --- today's changes ----------------------------------------------------------------------

@dataclass(frozen=True)
class Change:
    kind: str
    key: str
    name: str
    url: str
    before: int
    after: int
    reasons: list[str]
    at: datetime.datetime
    person_id: int | None = None  # a person's change (health data: read is logged)


@dataclass(frozen=True)
class Changes:
    """Today's changes in the area, newest first: those listed, how many there were in all,
    and how many were persons' that the caller sees only counted."""

    listed: list[Change]
    total: int
    persons_counted: int


def _names(user: User, kind: str, keys: set[str]) -> dict[str, tuple[str, str]]:
    """The name and page of each subject of ``kind`` (those the caller may see)."""
    if not keys:
        return {}
    if kind in (SubjectKind.PERSON, SubjectKind.BUILDING):
        ids = [int(key) for key in keys if key.isdigit()]
        if kind == SubjectKind.PERSON:
            people = persons_visible_to(user).filter(pk__in=ids).values_list("pk", "name")
            return {str(pk): (name, reverse("web:person", args=[pk])) for pk, name in people}
        buildings = buildings_visible_to(user).filter(pk__in=ids).values_list("pk", "name")
        return {str(pk): (name, reverse("web:building", args=[pk])) for pk, name in buildings}
    model = Grid if kind == SubjectKind.GRID else Division
    areas = (model.objects.in_scope(user.scope_prefixes).filter(code__in=keys)
             .values_list("code", "name"))
    return {code: (name, reverse("risk:area", args=[code])) for code, name in areas}


def changes_today(user: User, area: Area, *, today: datetime.date | None = None,
                  limit: int = CHANGES_LISTED) -> Changes:
    """What changed today and why, newest first (at most ``limit`` listed); persons' changes
    only for a role that sees health status unmasked, counted for the others."""
    today = today or timezone.localdate()
    start = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    changes = _in(grade_changes_visible_to(user), area).filter(
        at__gte=start, at__lt=start + datetime.timedelta(days=1))
    persons_counted = 0
    if not sees_persons(user):
        persons_counted = changes.filter(kind=SubjectKind.PERSON).count()
        changes = changes.exclude(kind=SubjectKind.PERSON)
    total = changes.count()
    rows = list(changes.order_by("-at", "-pk")[:limit])
    keys: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        keys[row.kind].add(row.key)
    names = {kind: _names(user, kind, found) for kind, found in keys.items()}
    listed = []
    for row in rows:
        name, url = names[row.kind].get(row.key, (row.key, ""))
        reasons = reasons_text(row.reasons)
        if not reasons and row.after == Level.LOW:
            reasons = [_("No rule applies any more.")]
        listed.append(Change(
            kind=row.kind, key=row.key, name=name, url=url, before=row.before, after=row.after,
            reasons=reasons, at=row.at,
            person_id=int(row.key) if row.kind == SubjectKind.PERSON and row.key.isdigit()
            else None))
    return Changes(listed=listed, total=total + persons_counted,
                   persons_counted=persons_counted)


# --- the map ------------------------------------------------------------------------------

def _graded(user: User, area: Area, kind: str) -> dict[str, Grade]:
    return {grade.key: grade for grade in _in(grades_visible_to(user), area).filter(kind=kind)}


def _properties(level: int, grade: Grade | None) -> dict[str, Any]:
    return {"level": level, "level_label": level_label(level),
            "reasons": reasons_text(grade.reasons) if grade else []}


def grid_features(user: User, area: Area) -> dict[str, Any] | None:
    """The grids of ``area`` as GeoJSON with their grade (``level`` 0, 1, 2; the reasons in
    words), or None when it holds more than ``MAP_GRID_LIMIT`` grids."""
    grids = list(_in(grids_in(user.scope_prefixes), area).order_by("code")[
        :MAP_GRID_LIMIT + 1]) if can(user, Action.VIEW_RISK) else []
    if len(grids) > MAP_GRID_LIMIT:
        return None
    grades = _graded(user, area, SubjectKind.GRID)
    marker = "9" * 15  # one reverse for every grid (links_to in web does the same)
    page = reverse("risk:area", args=[marker])
    features: list[dict[str, Any]] = []
    for grid in grids:
        grade = grades.get(grid.code)
        level = grade.level if grade else Level.LOW
        features.append({"type": "Feature", "geometry": grid.boundary, "properties": {
            "code": grid.code, "name": grid.name,
            "url": page.replace(marker, grid.code), **_properties(level, grade)}})
    return {"type": "FeatureCollection", "features": features}


def building_features(user: User, area: Area, *, limit: int = MAP_BUILDING_LIMIT
                      ) -> dict[str, Any]:
    """Buildings of ``area`` with a location as GeoJSON points with their grade: in a grid
    every building (the low ones too), above a grid the graded ones, the highest first, at
    most ``limit``."""
    if not can(user, Action.VIEW_RISK):
        return {"type": "FeatureCollection", "features": []}
    grades = _in(grades_visible_to(user), area).filter(kind=SubjectKind.BUILDING)
    located = buildings_visible_to(user).filter(longitude__isnull=False,
                                                latitude__isnull=False)
    if area.is_grid:
        by_key = {grade.key: grade for grade in grades}
        buildings = list(_in(located, area).order_by("pk")[:limit])
    else:
        chosen = list(grades.order_by("-level", "key")[:limit])
        by_key = {grade.key: grade for grade in chosen}
        ids = [int(key) for key in by_key if key.isdigit()]
        buildings = sorted(located.filter(pk__in=ids),
                           key=lambda building: -by_key[str(building.pk)].level)
    page = reverse("web:building", args=[987654321])
    features: list[dict[str, Any]] = []
    for building in buildings:
        grade = by_key.get(str(building.pk))
        level = grade.level if grade else Level.LOW
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point",
                         "coordinates": [building.longitude, building.latitude]},
            "properties": {"id": building.pk, "name": building.name,
                           "address": building.address, "grid_code": building.grid_code,
                           "url": page.replace("987654321", str(building.pk)),
                           **_properties(level, grade)}})
    # Drawn in order: the high ones last, on top.
    features.sort(key=lambda feature: feature["properties"]["level"])
    return {"type": "FeatureCollection", "features": features}


def building_grade(user: User, building: Any) -> Grade | None:
    """The building's grade (None when low or for a role that may not view risk)."""
    return grades_visible_to(user).filter(kind=SubjectKind.BUILDING,
                                          key=str(building.pk)).first()


def building_risk(user: User, building: Any) -> dict[str, Any] | None:
    """What the building page shows of its grade: the grade, why, and the risk map of its
    grid; None when the building is low or the role may not view risk."""
    grade = building_grade(user, building)
    if grade is None:
        return None
    return {"level": grade.level, "label": level_label(grade.level),
            "reasons": reasons_text(grade.reasons), "since": grade.since,
            "map": reverse("risk:area", args=[building.grid_code])
            if len(building.grid_code) == 15 else ""}


@dataclass(frozen=True)
class GradedBuilding:
    id: int
    name: str
    url: str
    level: int
    reasons: list[str]


def graded_buildings(user: User, area: Area, *, limit: int = MAP_BUILDING_LIMIT
                     ) -> list[GradedBuilding]:
    """The graded buildings of a grid, the highest first (the drill-down's last step)."""
    grades = list(_in(grades_visible_to(user), area).filter(kind=SubjectKind.BUILDING)
                  .order_by("-level", "key")[:limit])
    ids = [int(grade.key) for grade in grades if grade.key.isdigit()]
    names = dict(buildings_visible_to(user).filter(pk__in=ids).values_list("pk", "name"))
    page = reverse("web:building", args=[987654321])
    return [GradedBuilding(int(grade.key), names[int(grade.key)],
                           page.replace("987654321", grade.key), grade.level,
                           reasons_text(grade.reasons))
            for grade in grades if grade.key.isdigit() and int(grade.key) in names]


# --- the dashboard ------------------------------------------------------------------------

@dataclass(frozen=True)
class Dashboard:
    """Everything the risk page shows for ``area`` (the page and the API)."""

    area: Area
    trail: list[Area]
    counts: Counts
    children: list[ChildCounts]
    own_level: int
    own_reasons: list[str]
    trend: Trend
    changes: Changes
    buildings: list[GradedBuilding]  # a grid's graded buildings; empty above a grid
    persons_shown: bool


def kinds_of(area: Area) -> list[str]:
    """The kinds of subject an area holds: a grid holds no community (nor a community grade
    for a grid to count)."""
    kinds = [SubjectKind.PERSON, SubjectKind.BUILDING, SubjectKind.GRID]
    if not area.is_grid:
        kinds.append(SubjectKind.COMMUNITY)
    return [str(kind) for kind in kinds]


def dashboard(user: User, area: Area, *, today: datetime.date | None = None) -> Dashboard:
    own = None
    if area.code:
        own = _in(grades_visible_to(user), area).filter(
            kind=SubjectKind.GRID if area.is_grid else SubjectKind.COMMUNITY,
            key=area.code).first()
    return Dashboard(
        area=area, trail=risk_trail(user, area), counts=level_counts(user, area),
        children=child_counts(user, area), own_level=own.level if own else Level.LOW,
        own_reasons=reasons_text(own.reasons) if own else [],
        trend=trend(user, area, today=today), changes=changes_today(user, area, today=today),
        buildings=graded_buildings(user, area) if area.is_grid else [],
        persons_shown=sees_persons(user))

