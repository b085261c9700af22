"""Reads the pages compose from every app's scoped selectors: counts, maps and trails.

Nothing here decides visibility; each function starts from a ``*_visible_to`` selector or the
user's scope prefixes, so a page can never count or draw what its user may not see.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Case, Count, IntegerField, OuterRef, QuerySet, Subquery, When
from django.db.models.functions import Coalesce, Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.access.models import User
from wangge.care.selectors import visits_due
from wangge.conventions.selectors import breaches_waiting
from wangge.divisions.maps import tile_layer
from wangge.divisions.models import Division, Grid
from wangge.divisions.selectors import divisions_in, grids_in
from wangge.emergency.selectors import emergency_tasks_of
from wangge.events.figures import period_of, satisfaction_of_own_organizations
from wangge.events.selectors import (
    event_pins,
    event_task_counts,
    event_tasks,
    events_visible_to,
    open_events_by_grid,
    with_grid_names,
)
from wangge.foundation.codes import (
    PREFIX_LENGTH,
    Level,
    level_of,
    parent_code,
    prefix_range,
    scope_prefix,
)
from wangge.foundation.permissions import Action, Role, can
from wangge.needs.selectors import deliveries_waiting
from wangge.notices.selectors import notices_of, unread_by_notice, unread_count_of
from wangge.open311.selectors import community_at, resident_reports, resident_reports_to_rate
from wangge.organizations.selectors import organizations_visible_to
from wangge.patrols.selectors import DUE_LISTED, open_patrol_of, patrols_due
from wangge.people.models import Person, Relationship
from wangge.people.selectors import (
    households_visible_to,
    persons_visible_to,
    residents_per_dwelling,
    sensitive_values,
)
from wangge.places.models import Building, Dwelling
from wangge.places.selectors import buildings_visible_to, dwellings_visible_to
from wangge.residents.selectors import corrections_waiting, resident_person

# Above this many grids the home map would weigh megabytes; the page asks to drill down instead.
MAP_GRID_LIMIT = 3000
# Each to-do list on a home page shows this many events; the event list holds the rest.
TASKS_LISTED = 10
# The roles whose home is their to-do list (待办) and the residents' home; the other roles
# open on their jurisdiction.
TASK_HOMES = {Role.GRID_WORKER, Role.DEPARTMENT_STAFF}
RESIDENT_HOME = Role.RESIDENT


def home_of(user: User) -> str:
    """Which home ``user`` opens on: "tasks", "resident" or "jurisdiction"."""
    role = getattr(user, "role", "")
    if user.is_superuser:
        return "jurisdiction"
    if role in TASK_HOMES:
        return "tasks"
    return "resident" if role == RESIDENT_HOME else "jurisdiction"


def task_home(user: User) -> dict[str, Any]:
    """A to-do home: each list of events that waits for ``user`` (the first
    ``TASKS_LISTED``, with grid names, and how many in all), the patrol under way, the
    grids where a patrol is due, the care visits due and overdue (for those who make
    them), the open tasks of emergencies under way they own, residents' requests to correct
    their records, breaches of conventions reported in their grids, per notice and grid who
    has not read it yet, the deliveries of needs and offers that wait for them, and the
    satisfaction with the organizations they answer for."""
    counts = event_task_counts(user)
    sections = [{"key": name, "count": counts[name],
                 "events": with_grid_names(events[:TASKS_LISTED])}
                for name, events in event_tasks(user).items()]
    patrolling = can(user, Action.PATROL)
    visits = care_visits_of(user)
    return {
        "sections": sections,
        "care_visits": visits[:TASKS_LISTED],
        "care_visits_count": len(visits),
        "care_overdue_count": sum(visit.overdue for visit in visits),
        "patrol": open_patrol_of(user) if patrolling else None,
        "patrols_due": list(patrols_due(user)[:DUE_LISTED]) if patrolling else [],
        "emergency_tasks": list(emergency_tasks_of(user)[:TASKS_LISTED]),
        "corrections": list(corrections_waiting(user)[:TASKS_LISTED]),
        "breaches": list(breaches_waiting(user)[:TASKS_LISTED]),
        "unread_notices": unread_by_notice(user)[:TASKS_LISTED],
        "deliveries": list(deliveries_waiting(user)[:TASKS_LISTED]),
        "roots": jurisdiction_roots(user),
        # The organizations the user answers for, with their residents' satisfaction over
        # the last 30 days (a department's own figure).
        "satisfaction": [{"name": organization.name, "figures": figures} for organization, figures
                         in satisfaction_of_own_organizations(user, period_of()) if organization],
    }


def care_visits_of(user: User) -> list:
    """The care visits due and overdue that ``user`` makes (none for a role that does not
    record visits), the longest overdue first."""
    if not can(user, Action.EDIT_PEOPLE):
        return []
    return visits_due(user)


def resident_report_url(user: User) -> str:
    """The residents' report page of the community ``user`` lives in ("" when they answer
    for no community or grid)."""
    for jurisdiction in user.jurisdictions.all():
        community = community_at(jurisdiction.code[:12])
        if community is not None:
            return reverse("open311:report", args=[community.code])
    return ""


def resident_home(user: User) -> dict[str, Any]:
    """A resident's home: where to report, the reports they sent signed in, and, once the
    account is their person's, their latest notices and a way to their own record."""
    person = resident_person(user)
    return {"report_url": resident_report_url(user),
            "reports": resident_reports(user)[:20],
            "to_rate": set(resident_reports_to_rate(user).values_list("pk", flat=True)),
            "linked": person is not None,
            "notices": list(notices_of(person)[:5])}


def waiting_count(user: User) -> int:
    """What waits for ``user`` (the badge of the home tab): the events and patrols of their
    to-do list, or a resident's closed reports that ask for a rating."""
    home = home_of(user)
    if home == "tasks":
        due = patrols_due(user).count() if can(user, Action.PATROL) else 0
        emergency = emergency_tasks_of(user).count()
        visits = len(care_visits_of(user))
        corrections = corrections_waiting(user).count()
        deliveries = deliveries_waiting(user).count()
        breaches = breaches_waiting(user).count()
        return (sum(event_task_counts(user).values()) + due + emergency + visits
                + corrections + deliveries + breaches)
    if home == "resident":
        return (resident_reports_to_rate(user).count()
                + unread_count_of(resident_person(user)))
    return 0


def jurisdiction_counts(user: User) -> dict[str, int]:
    """How many of each record the user's jurisdiction holds (zero where the role may not
    see that kind of record)."""
    persons = persons_visible_to(user)
    buildings = buildings_visible_to(user)
    return {
        "grids": grids_in(user.scope_prefixes).count(),
        "buildings": buildings.count(),
        "dwellings": dwellings_visible_to(user).count(),
        "residents": persons.count(),
        "households": households_visible_to(user).count(),
        "organizations": organizations_visible_to(user).count(),
        "vulnerable": persons.exclude(vulnerable_tags=[]).count(),
        "unplaced_buildings": buildings.unplaced().count(),
    }


def count_of(queryset: QuerySet, field: str, outer: str = "pk") -> Coalesce:
    """A correlated count of ``queryset`` rows whose ``field`` matches the outer row's
    ``outer``: annotating a list with it costs one query, not one per row."""
    counted = (
        queryset.filter(**{field: OuterRef(outer)}).order_by().values(field)
        .annotate(count=Count("pk")).values("count")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def counts_by_area(queryset: QuerySet, field: str, digits: int) -> dict[str, int]:
    """Rows of ``queryset`` per code prefix of ``digits`` characters of ``field``, in one
    grouped query (a street's communities, a district's streets)."""
    rows = (
        queryset.order_by().annotate(area=Substr(field, 1, digits)).values("area")
        .annotate(count=Count("pk")).values_list("area", "count")
    )
    return dict(rows)


def grids_with_counts(user: User, grids: QuerySet[Grid]) -> QuerySet[Grid]:
    """Grids annotated with their visible residents and buildings."""
    return grids.annotate(
        population=count_of(persons_visible_to(user), "grid_code", "code"),
        building_count=count_of(buildings_visible_to(user), "grid_code", "code"),
    )


def buildings_with_counts(user: User, buildings: QuerySet[Building]) -> QuerySet[Building]:
    """Buildings annotated with their dwellings and visible residents."""
    return buildings.annotate(
        dwelling_count=count_of(Dwelling.objects.all(), "building"),
        resident_count=count_of(persons_visible_to(user), "dwelling__building"),
    )


def dwellings_with_counts(user: User, dwellings: QuerySet[Dwelling]) -> QuerySet[Dwelling]:
    return dwellings.annotate(resident_count=count_of(persons_visible_to(user), "dwelling"))


def child_divisions_with_counts(user: User, division: Division) -> list[Division]:
    """The divisions directly under ``division`` with their grids and visible residents."""
    children = list(divisions_in(user.scope_prefixes).filter(parent=division))
    if not children:
        return []
    digits = PREFIX_LENGTH[Level(children[0].level)]
    prefix = scope_prefix(division.code)
    population = counts_by_area(
        persons_visible_to(user).filter(prefix_range("grid_code", prefix)), "grid_code", digits
    )
    grids = counts_by_area(
        grids_in(user.scope_prefixes).filter(prefix_range("code", prefix)), "code", digits
    )
    for child in children:
        child.population = population.get(child.code[:digits], 0)
        child.grid_count = grids.get(child.code[:digits], 0)
    return children


# What a grid map may colour its grids by, in the order its switch offers them.
MAP_FIGURES = {
    "population": _("Residents"),
    "open": _("Open events"),
    "overdue": _("Overdue events"),
}


def links_to(name: str) -> Callable[[object], str]:
    """``reverse(name, args=[key])`` for each of many keys at the cost of one reverse (a
    reverse costs about 0.1 ms: a district map's thousand pins would spend 100 ms on them)."""
    marker = "987654321"
    pattern = reverse(name, args=[marker])
    return lambda key: pattern.replace(marker, str(key), 1)


def grid_map(user: User, grids: Iterable[Grid], buildings: Iterable[Building] = ()) -> dict:
    """What the map script draws: grid polygons with their name, page and figures, building
    points, open events as pins, and the basemap when one is configured.

    Each figure is there only for a role that may see what it counts (residents for
    ``VIEW_PEOPLE``; open and overdue events, and the pins, for ``VIEW_EVENTS``), read through
    the same scoped selectors as the pages: one grouped query per layer, whatever the number
    of grids. At most ``WANGGE_MAP_EVENT_PINS`` pins, the most overdue first; ``pins`` says
    how many of how many are drawn."""
    grids = list(grids)
    codes = [grid.code for grid in grids]
    figures: dict[str, dict[str, int]] = {}
    if can(user, Action.VIEW_PEOPLE):
        figures["population"] = counts_by_area(
            persons_visible_to(user).filter(grid_code__in=codes), "grid_code", 15,
        ) if codes else {}
    pins: list[dict[str, Any]] = []
    if can(user, Action.VIEW_EVENTS):
        events = events_visible_to(user)
        counts = open_events_by_grid(events, codes)
        figures["open"] = {code: open_ for code, (open_, _overdue) in counts.items()}
        figures["overdue"] = {code: overdue for code, (_open, overdue) in counts.items()}
        pins = event_pins(events, limit=settings.WANGGE_MAP_EVENT_PINS, grid_codes=codes)
        event_page = links_to("events:detail")
        for pin in pins:
            # What the popup shows, the deadline as the event page writes it; the page
            # carries a thousand of these, so nothing more.
            properties = pin["properties"]
            deadline = timezone.localtime(properties.pop("deadline"))
            del properties["state"], properties["priority"]
            properties["deadline_text"] = f"{deadline:%Y-%m-%d %H:%M}"
            properties["url"] = event_page(properties["id"])
    grid_page = links_to("web:grid")
    return {
        "tiles": tile_layer(),
        "figures": [{"key": key, "label": MAP_FIGURES[key]} for key in figures],
        "grids": {"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": grid.boundary, "properties": {
                "code": grid.code, "name": grid.name, "url": grid_page(grid.code),
                **{key: values.get(grid.code, 0) for key, values in figures.items()},
            }} for grid in grids
        ]},
        "buildings": {"type": "FeatureCollection", "features": [
            {"type": "Feature",
             "geometry": {"type": "Point", "coordinates": [building.longitude, building.latitude]},
             "properties": {"name": building.name,
                            "url": reverse("web:building", args=[building.pk])}}
            for building in buildings
            if building.longitude is not None and building.latitude is not None
        ]},
        "events": {"type": "FeatureCollection", "features": pins},
        "pins": {"shown": len(pins), "open": sum(figures.get("open", {}).values())},
    }


def location_map(user: User, place: Any) -> dict[str, Any] | None:
    """What a small location map draws for ``place`` (an event, a building: anything with a
    ``longitude``, ``latitude`` and ``grid_code``): the point, the outline of its grid when the
    user's jurisdiction holds it, and the basemap. None when the place has no point."""
    if place.longitude is None or place.latitude is None:
        return None
    boundary = (grids_in(user.scope_prefixes).filter(code=place.grid_code)
                .values_list("boundary", flat=True).first())
    return {"point": [place.longitude, place.latitude], "grid": boundary,
            "tiles": tile_layer()}


def area_map(user: User, grids: QuerySet[Grid]) -> dict | None:
    """The grid map of an area, or None when it holds too many grids to draw at once."""
    grids = list(grids[: MAP_GRID_LIMIT + 1])
    if len(grids) > MAP_GRID_LIMIT:
        return None
    return grid_map(user, grids)


def jurisdiction_roots(user: User) -> list[dict[str, Any]]:
    """The divisions and grids the user answers for (the top divisions for a superuser), as
    ``{"name", "level", "url"}`` entry points for the home page."""
    if user.is_superuser:
        divisions = Division.objects.filter(parent__isnull=True)
        grids = Grid.objects.none()
    else:
        codes = [jurisdiction.code for jurisdiction in user.jurisdictions.all()]
        divisions = divisions_in(user.scope_prefixes).filter(code__in=codes)
        grids = grids_in(user.scope_prefixes).filter(code__in=codes)
    return [
        {"name": division.name, "level": division.get_level_display(),
         "url": reverse("web:division", args=[division.code])}
        for division in divisions
    ] + [
        {"name": grid.name, "level": Level.GRID.label,
         "url": reverse("web:grid", args=[grid.code])}
        for grid in grids
    ]


def with_sensitive(user: User, persons: Iterable[Person], *,
                   revealed: bool = False) -> list[Person]:
    """The persons, each with ``shown``: its sensitive fields as ``user`` may see them. On
    pages the full ID and birth date wait for a purpose (``revealed``, see the reveal)."""
    persons = list(persons)
    for person in persons:
        person.shown = sensitive_values(user, person, revealed=revealed)
    return persons


def trail(user: User, code: str) -> list[dict[str, Any]]:
    """The divisions above ``code`` (and the grid, for a grid code) that the user may open,
    top first, as ``{"name", "url"}`` for breadcrumbs."""
    codes = []
    current: str | None = code
    while current:
        codes.append(current)
        current = parent_code(current)
    steps = [
        {"name": division.name, "url": reverse("web:division", args=[division.code])}
        for division in divisions_in(user.scope_prefixes).filter(code__in=codes)
    ]
    if level_of(code) == Level.GRID:
        grid = grids_in(user.scope_prefixes).filter(code=code).first()
        if grid is not None:
            steps.append({"name": grid.name, "url": reverse("web:grid", args=[grid.code])})
    return steps


HEAD_FIRST = Case(When(relationship=Relationship.HEAD, then=0), default=1)
# Above this many flats the building table gives way to the paged list of dwellings.
BUILDING_TABLE_LIMIT = 2000
# Names written in a flat's cell; the rest are counted ("+2").
NAMES_PER_FLAT = 2


@dataclass
class Flat:
    """A dwelling as the building table shows it."""

    pk: int
    room: str
    residents: int
    names: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.residents == 0

    @property
    def more(self) -> int:
        return max(self.residents - len(self.names), 0)


def building_table(user: User, building: Building) -> dict[str, Any] | None:
    """The building table (楼盘表): units side by side, floors from the top down, each flat
    with its number of residents, empty flats marked. Every role that sees the building sees
    the counts; names (and links to the flats) only a role that may view people. Two
    queries whatever the size; None above ``BUILDING_TABLE_LIMIT`` flats."""
    dwellings = dwellings_visible_to(user).filter(building=building)
    rows = list(dwellings.order_by("unit", "floor", "room")
                .values_list("pk", "unit", "floor", "room")[: BUILDING_TABLE_LIMIT + 1])
    if len(rows) > BUILDING_TABLE_LIMIT:
        return None
    shows_people = can(user, Action.VIEW_PEOPLE)
    names: dict[int, list[str]] = defaultdict(list)
    counts: dict[int, int] = defaultdict(int)
    if shows_people:
        # One query gives both: the count is of the persons the user may see.
        residents = (persons_visible_to(user).filter(dwelling__building=building)
                     .order_by("dwelling_id", HEAD_FIRST, "name")
                     .values_list("dwelling_id", "name"))
        for dwelling_id, name in residents:
            counts[dwelling_id] += 1
            if len(names[dwelling_id]) < NAMES_PER_FLAT:
                names[dwelling_id].append(name)
    else:
        counts.update(residents_per_dwelling(user, dwellings))
    cells: dict[tuple[int, int], list[Flat]] = defaultdict(list)
    for pk, unit, floor, room in rows:
        cells[floor, unit].append(Flat(pk, room, counts[pk], names[pk]))
    units = sorted(set(range(1, building.units + 1)) | {unit for _pk, unit, _f, _r in rows})
    floors = sorted(set(range(1, building.floors + 1)) | {floor for _pk, _u, floor, _r in rows},
                    reverse=True)
    flats = [flat for row in cells.values() for flat in row]
    return {
        "units": units,
        "rows": [{"floor": floor, "depth": -floor,  # a basement's: B1, B2
                  "cells": [cells.get((floor, unit), []) for unit in units]}
                 for floor in floors],
        "shows_people": shows_people,
        "flats": len(flats),
        "empty": sum(flat.empty for flat in flats),
        "residents": sum(flat.residents for flat in flats),
    }
