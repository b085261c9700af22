"""Reads of events, always through the caller's jurisdiction; who follows an event."""

import datetime
import math
import re
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.access.models import User
from wangge.divisions.models import Division
from wangge.divisions.selectors import grid_names
from wangge.foundation.codes import PREFIX_LENGTH, Level, level_of, parent_code, prefix_range
from wangge.foundation.permissions import (
    ROLE_ACTIONS,
    Action,
    SensitiveField,
    can,
    sees_unmasked,
    shown,
)
from wangge.organizations.models import Organization
from wangge.organizations.selectors import organizations_visible_to

from .models import (
    FINAL_STATES,
    TICKET_ALPHABET,
    TICKET_LENGTH,
    Category,
    DispatchDefault,
    Event,
    EventComment,
    EventRating,
    EventTransition,
    Responder,
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
    """Transitions, comments and satisfaction ratings, oldest first. An assignment names
    the person by their full name (the row keeps their username)."""
    transitions = list(EventTransition.objects.filter(event=event).select_related("actor"))
    assigned = {t.comment for t in transitions if t.action == "assign"}
    names = {user.username: person_name(user)
             for user in User.objects.filter(username__in=assigned)} if assigned else {}
    entries = [{"kind": "transition", "at": t.at, "actor": t.actor, "action": t.action,
                "source": t.source, "target": t.target,
                "text": names.get(t.comment, t.comment) if t.action == "assign" else t.comment}
               for t in transitions]
    entries += [{"kind": "comment", "at": c.at, "actor": c.author, "action": "comment",
                 "source": "", "target": "", "text": c.text}
                for c in EventComment.objects.filter(event=event).select_related("author")]
    entries += [{"kind": "rating", "at": r.at, "actor": r.recorded_by, "action": "rate",
                 "source": r.source, "target": r.satisfaction,
                 "label": r.get_satisfaction_display(), "text": r.comment}
                for r in EventRating.objects.filter(event=event).select_related("recorded_by")]
    return sorted(entries, key=lambda entry: entry["at"])


def person_name(user: User | None) -> str:
    """How a person is named on the event pages: their full name, else their username."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


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


# The to-do lists (待办) -------------------------------------------------------------------

TRIAGE_STATES = (State.REPORTED, State.ACCEPTED)
HANDLING_STATES = (State.DISPATCHED, State.HANDLING)
TASK_SECTIONS = ("overdue", "to_accept", "to_handle", "to_verify")


def _handled_by(user: User) -> Q:
    """Events given to ``user``: assigned to them, or dispatched to an organization they
    answer for (a subquery: a join would repeat an event once per responder)."""
    return Q(assignee=user) | Q(organization_id__in=Responder.objects.filter(user=user)
                                .values("organization_id"))


def _task_conditions(user: User) -> dict[str, Q]:
    """What waits for ``user``, section by section: to accept (and dispatch) when they
    triage, to handle when it was given to them, to verify when they verify. Past its
    deadline an event is in "overdue" and in no other section; one who triages follows
    every overdue event of their jurisdiction, even one a department is late with."""
    sections: dict[str, Q] = {}
    if can(user, Action.TRIAGE_EVENTS):
        sections["to_accept"] = Q(state__in=TRIAGE_STATES)
    if can(user, Action.HANDLE_EVENTS):
        sections["to_handle"] = Q(state__in=HANDLING_STATES) & _handled_by(user)
    if can(user, Action.VERIFY_EVENTS):
        sections["to_verify"] = Q(state=State.FEEDBACK)
    if not sections:
        return {}
    late = Q(deadline__lt=timezone.now())
    mine = Q(state__in=OPEN_STATES)
    if not can(user, Action.TRIAGE_EVENTS):
        mine = Q(pk__in=[])
        for condition in sections.values():
            mine |= condition
    return {"overdue": late & mine,
            **{name: condition & ~late for name, condition in sections.items()}}


def event_tasks(user: User) -> dict[str, QuerySet[Event]]:
    """The user's to-do lists of events (keys of ``TASK_SECTIONS`` that apply to their
    role), each soonest deadline first, within their jurisdiction."""
    events = events_visible_to(user).open()
    return {name: events.filter(condition).order_by("deadline", "pk")
            for name, condition in _task_conditions(user).items()}


def event_task_counts(user: User) -> dict[str, int]:
    """How many events each to-do list holds, in one query (over the open events, which a
    partial index holds)."""
    conditions = _task_conditions(user)
    if not conditions:
        return {}
    return events_visible_to(user).open().order_by().aggregate(
        **{name: Count("grid_code", filter=condition)
           for name, condition in conditions.items()})


# The event list's filters ----------------------------------------------------------------

NUMBER = re.compile(r"^SJ(\d{1,18})$", re.IGNORECASE)
# Words beyond these are ignored: each is a scan of the scoped events' text.
MAX_WORDS = 5


@dataclass(frozen=True)
class EventFilters:
    """What the event list (page and API) narrows by; empty values narrow nothing."""

    state: str = ""
    category_id: int | None = None  # a category, or a group with its children
    channel: str = ""
    reported_from: datetime.date | None = None
    reported_to: datetime.date | None = None
    words: str = ""


# The days a filter may name: beyond them a time zone's offset takes a day's start out of
# the range a datetime holds (a 500, not an empty list). Open311 keeps to the same years.
FIRST_DAY, LAST_DAY = datetime.date(1901, 1, 1), datetime.date(2999, 12, 31)


def days_refused(first: datetime.date | None, last: datetime.date | None) -> dict[str, str]:
    """What is wrong with the days reported a list is narrowed to, as ``{"from"|"to":
    message}`` (the page and the API name the parameters so)."""
    refused = {}
    for name, day in (("from", first), ("to", last)):
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            refused[name] = _("Give a day between %(first)s and %(last)s.") % {
                "first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()}
    if first and last and first > last and not refused:
        refused["to"] = _("The last day comes before the first.")
    return refused


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


Events = TypeVar("Events", bound=QuerySet)


def events_filtered(events: Events, filters: EventFilters) -> Events:
    """``events`` narrowed by state, category (a group takes its children), channel, the
    days reported (both ends included, in the site's time zone) and words (each found in
    the description, the address or the category's name; an event number or public ticket
    finds that event). Days outside ``days_refused``'s bounds are the caller's to refuse."""
    if filters.state:
        events = events.filter(state=filters.state)
    if filters.category_id is not None:
        events = events.filter(Q(category_id=filters.category_id)
                               | Q(category__parent_id=filters.category_id))
    if filters.channel:
        events = events.filter(channel=filters.channel)
    if filters.reported_from is not None:
        events = events.filter(reported_at__gte=_day_start(filters.reported_from))
    if filters.reported_to is not None:
        events = events.filter(reported_at__lt=_day_start(
            filters.reported_to + datetime.timedelta(days=1)))
    for word in filters.words.split()[:MAX_WORDS]:
        found = (Q(description__icontains=word) | Q(address__icontains=word)
                 | Q(category__name__icontains=word))
        if number := NUMBER.match(word):
            found |= Q(pk=int(number.group(1)))
        if len(word) == TICKET_LENGTH and set(word.upper()) <= set(TICKET_ALPHABET):
            found |= Q(ticket=word.upper())
        events = events.filter(found)
    return events


# Dispatch: who usually handles a category ------------------------------------------------

# How many recent dispatches of a category the preselection learns from.
LEARNED_FROM = 100


def usual_handler(user: User | None, event: Event) -> Organization | None:
    """The organization to preselect when ``event`` is dispatched, among those it may go to
    (``dispatch_targets``): the one set in the back office as usually handling its category
    (``DispatchDefault``; the category's own before its group's, the nearest to the event's
    grid first); else the one most of the last ``LEARNED_FROM`` events of the category in
    the district went to; else none."""
    targets = dispatch_targets(user, event).order_by()
    categories = [event.category_id]
    if event.category.parent_id is not None:
        categories.append(event.category.parent_id)
    configured = list(DispatchDefault.objects.filter(
        category_id__in=categories, organization__in=targets).select_related("organization"))
    if configured:
        best = min(configured, key=lambda d: (d.category_id != event.category_id,
                                              -PREFIX_LENGTH[level_of(
                                                  d.organization.grid_code)],
                                              d.organization.name))
        return best.organization
    recent = (Event.objects.filter(prefix_range("grid_code", event.grid_code[:6]),
                                   category=event.category, organization__in=targets)
              .exclude(pk=event.pk).order_by("-reported_at")
              .values_list("organization", flat=True)[:LEARNED_FROM])
    counted = Counter(recent).most_common(1)
    return targets.filter(pk=counted[0][0]).first() if counted else None


# Names, not codes --------------------------------------------------------------------------


def with_grid_names(events: Iterable[Event]) -> list[Event]:
    """The events, each with ``grid_name`` (one query for the lot)."""
    events = list(events)
    names = grid_names(event.grid_code for event in events)
    for event in events:
        event.grid_name = names.get(event.grid_code, event.grid_code)
    return events


def grid_name_of(code: str) -> str:
    """The name of the grid with this code (the code itself when no grid has it)."""
    return grid_names([code]).get(code, code)


def place_name_of(code: str) -> str:
    """The name of the grid (15 digits) or division (12) with this code, else the code."""
    if level_of(code) == Level.GRID:
        return grid_name_of(code)
    division = Division.objects.filter(code=code).first()
    return division.name if division else code


def responsible_division(event: Event) -> dict[str, str]:
    """Who answers for ``event`` now, by name: ``level`` (网格/社区/街道/区) and ``name``."""
    code = event.responsible_code
    return {"level": str(level_of(code).label), "name": place_name_of(code)}


# The contact a resident left ---------------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    """How to reach whoever sent a public report, as ``user`` may see it; ``unmasked`` says
    whether the phone or email is shown in full (a read to log)."""

    name: str
    phone: str
    email: str
    unmasked: bool


def _masked_email(email: str) -> str:
    local, _at, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def event_contact(user: User, event: Event) -> Contact | None:
    """The contact a resident left on a public report of ``event``, masked as phones are
    for ``user``'s role (the email with the phone); None when there is none. The contact is
    kept by open311 (``PublicReport``, above this app) and read through its relation."""
    report = getattr(event, "public_report", None)
    if report is None or not (report.contact_name or report.contact_phone
                              or report.contact_email):
        return None
    full = sees_unmasked(user, SensitiveField.PHONE)
    return Contact(
        name=report.contact_name,
        phone=str(shown(user, SensitiveField.PHONE, report.contact_phone)),
        email=report.contact_email if full else (
            _masked_email(report.contact_email) if report.contact_email else ""),
        unmasked=full and bool(report.contact_phone or report.contact_email),
    )
