"""Reads of events, always through the caller's jurisdiction; who follows an event."""

import math
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from wangge.access.models import User
from wangge.foundation.codes import PREFIX_LENGTH, level_of, parent_code
from wangge.foundation.permissions import ROLE_ACTIONS, Action, can
from wangge.organizations.models import Organization
from wangge.organizations.selectors import organizations_visible_to

from .models import (
    FINAL_STATES,
    Category,
    Event,
    EventComment,
    EventTransition,
    State,
)

EARTH_RADIUS_M = 6_371_000


def roles_that(action: Action) -> list[str]:
    return [role for role, actions in ROLE_ACTIONS.items() if action in actions]


def events_visible_to(user: User) -> QuerySet[Event]:
    if not can(user, Action.VIEW_EVENTS):
        return Event.objects.none()
    return Event.objects.in_scope(user.scope_prefixes).select_related(
        "category", "organization", "assignee", "reporter")


def categories_active() -> QuerySet[Category]:
    return Category.objects.filter(active=True).select_related("parent")


def category_choices() -> list[tuple[int, str]]:
    """Leaf categories as "parent / child", in tree order (for a picker)."""
    categories = list(categories_active())
    parents = {c.parent_id for c in categories if c.parent_id}
    tops = sorted((c for c in categories if c.parent_id is None),
                  key=lambda c: (c.position, c.code))
    choices = []
    for top in tops:
        children = sorted((c for c in categories if c.parent_id == top.pk),
                          key=lambda c: (c.position, c.code))
        choices += [(child.pk, f"{top.name} / {child.name}") for child in children]
        if top.pk not in parents:
            choices.append((top.pk, top.name))
    return choices


def triage_users_at(code: str, *, exact: bool = False) -> QuerySet[User]:
    """Who triages events at ``code``: those whose jurisdiction is exactly ``code`` (an
    escalation target), or else the grid's own workers and its community's staff."""
    codes = [code] if exact else [code, code[:12]]
    return User.objects.filter(is_active=True, role__in=roles_that(Action.TRIAGE_EVENTS),
                               jurisdictions__code__in=codes).distinct()


def handlers_for(event: Event) -> QuerySet[User]:
    """People who may be assigned ``event``: they handle events and the grid is theirs."""
    prefixes = {event.grid_code[:length] for length in PREFIX_LENGTH.values()}
    return (User.objects.filter(is_active=True, role__in=roles_that(Action.HANDLE_EVENTS),
                                jurisdictions__prefix__in=prefixes)
            .distinct().order_by("role", "username"))


def responder_candidates(user: Any) -> QuerySet[User]:
    """Who ``user`` (who configures events) may make an organization's responder: active
    accounts whose role handles events and who answer for a code in ``user``'s jurisdiction."""
    within = Q(pk__in=[])
    for prefix in user.scope_prefixes:
        within |= Q(jurisdictions__prefix__startswith=prefix)
    return (User.objects.filter(within, is_active=True,
                                role__in=roles_that(Action.HANDLE_EVENTS))
            .distinct().order_by("username"))


def dispatch_targets(user: User | None, event: Event) -> QuerySet[Organization]:
    """Who an event may be dispatched to: the organizations the user sees, and those of the
    event's grid and every division above it (the district's departments, the street's
    offices), which a grid worker does not otherwise see."""
    codes = [event.grid_code]
    while (upper := parent_code(codes[-1])) is not None:
        codes.append(upper)
    condition = Q(grid_code__in=codes)
    if user is not None:
        condition |= Q(pk__in=organizations_visible_to(user).values("pk"))
    return Organization.objects.filter(condition).order_by("-kind", "name")


def followers(event: Event, *, reporters: bool = True) -> list[User]:
    """Who hears of changes: its reporter and the reporters of every report merged into it,
    the assignee, and the responders of the handling organization."""
    condition = Q(pk=event.assignee_id) if event.assignee_id else Q(pk__in=[])
    if reporters:
        condition |= Q(reported_events=event) | Q(reported_events__duplicate_of=event)
    if event.organization_id:
        condition |= Q(responder_for__organization_id=event.organization_id)
    return list(User.objects.filter(condition, is_active=True).distinct())


@dataclass(frozen=True)
class Duplicate:
    event: Event
    metres: int


def likely_duplicates(queryset: QuerySet[Event], *, category: Category,
                      longitude: float | None, latitude: float | None,
                      exclude: Event | None = None) -> list[Duplicate]:
    """Open events of the same category within ``WANGGE_DUPLICATE_RADIUS_M`` metres,
    nearest first. A bounding box on the indexed columns narrows; the haversine decides."""
    if longitude is None or latitude is None:
        return []
    radius = settings.WANGGE_DUPLICATE_RADIUS_M
    dlat = math.degrees(radius / EARTH_RADIUS_M)
    dlon = dlat / max(math.cos(math.radians(latitude)), 0.01)
    candidates = queryset.open().filter(
        category=category, longitude__range=(longitude - dlon, longitude + dlon),
        latitude__range=(latitude - dlat, latitude + dlat))
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude.pk)
    found = [Duplicate(event, round(distance_m(longitude, latitude, event.longitude,
                                               event.latitude)))
             for event in candidates[:50]]
    return sorted((d for d in found if d.metres <= radius), key=lambda d: d.metres)


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def timeline(event: Event) -> list[dict[str, Any]]:
    """Transitions and comments, oldest first."""
    entries = [{"kind": "transition", "at": t.at, "actor": t.actor, "action": t.action,
                "source": t.source, "target": t.target, "text": t.comment}
               for t in EventTransition.objects.filter(event=event).select_related("actor")]
    entries += [{"kind": "comment", "at": c.at, "actor": c.author, "action": "comment",
                 "source": "", "target": "", "text": c.text}
                for c in EventComment.objects.filter(event=event).select_related("author")]
    return sorted(entries, key=lambda entry: entry["at"])


OPEN_STATES = [state for state in State.values if state not in FINAL_STATES]


def event_counts(events: QuerySet[Event]) -> dict[str, int]:
    """The dashboard's counts of ``events`` in one query: open, overdue, escalated, and the
    open ones by state. It reads the open events alone, which a small partial index holds
    (finished events are most of the table), so a district's counts stay fast. It counts
    ``grid_code`` (never null), not the id: the id is not in that index, and PostgreSQL
    would then visit every row instead of answering from the index alone."""
    now = timezone.now()
    return events.open().aggregate(
        open=Count("grid_code"),
        overdue=Count("grid_code", filter=Q(deadline__lt=now)),
        escalated=Count("grid_code", filter=Q(escalations__gt=0)),
        **{state: Count("grid_code", filter=Q(state=state)) for state in OPEN_STATES},
    )


def responsible_level(event: Event) -> str:
    return level_of(event.responsible_code).label


def open_events_by_grid(events: QuerySet[Event],
                        grid_codes: Collection[str]) -> dict[str, tuple[int, int]]:
    """Open and overdue ``events`` per grid of ``grid_codes``, as ``{code: (open, overdue)}``,
    in one grouped query over the open events' partial index (a map's colours); grids with
    none are left out."""
    if not grid_codes:
        return {}
    rows = (events.open().filter(grid_code__in=list(grid_codes)).order_by().values("grid_code")
            .annotate(open=Count("grid_code"),
                      overdue=Count("grid_code", filter=Q(deadline__lt=timezone.now())))
            .values_list("grid_code", "open", "overdue"))
    return {code: (open_, overdue) for code, open_, overdue in rows}


def event_pins(events: QuerySet[Event], *, limit: int,
               grid_codes: Collection[str] | None = None) -> list[dict[str, Any]]:
    """Open ``events`` (in ``grid_codes`` when given) as GeoJSON points, at most ``limit`` of
    them, the most overdue first (soonest deadline): one query. A pin carries what the event
    page's heading shows (number, category, state, deadline), never the description, the
    address or who reported it."""
    located = events.open().filter(longitude__isnull=False, latitude__isnull=False)
    if grid_codes is not None:
        located = located.filter(grid_code__in=list(grid_codes))
    pins = (located.select_related(None).select_related("category")
            .only("longitude", "latitude", "state", "priority", "deadline", "category__name")
            .order_by("deadline", "pk")[:max(limit, 0)])
    now = timezone.now()
    # Translated once, not per pin (get_state_display looks the label up each time).
    labels = {state: str(label) for state, label in State.choices}
    return [
        {"type": "Feature",
         # Six decimals are 0.1 m, finer than any phone's fix, and half the digits.
         "geometry": {"type": "Point",
                      "coordinates": [round(event.longitude, 6), round(event.latitude, 6)]},
         "properties": {"id": event.pk, "number": event.number, "category": event.category.name,
                        "state": event.state, "state_label": labels[event.state],
                        "priority": event.priority, "deadline": event.deadline,
                        "overdue": event.deadline < now}}
        for event in pins
    ]
