"""Reads for the public: communities and their buildings, the categories as Open311 services,
public reports, and a timeline with no one's name in it."""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from wangge.divisions.models import Division, Grid
from wangge.events.models import (
    TICKET_LENGTH,
    Category,
    Channel,
    Event,
    EventPhoto,
    EventRating,
    PhotoStage,
    State,
)
from wangge.foundation.codes import Level, prefix_range, scope_prefix
from wangge.places.models import Building

# What a resident may type for a ticket: Crockford's base32, with its misreadings.
TICKET_READINGS = str.maketrans({"O": "0", "I": "1", "L": "1"})
# The first digit of a house, building, unit or room number ends the part of an address the
# public sees (the road or compound): "幸福路12号3栋2单元" is shown as "幸福路".
HOUSE_NUMBER = re.compile(r"[0-9０-９#＃]|[一二三四五六七八九十百千零〇两]+"
                          r"(?:号|栋|幢|座|单元|楼|层|室|户|弄)")


def not_sensitive(prefix: str = "") -> Q:
    """Categories (``prefix`` leads from the model queried to one) that are not sensitive,
    nor under a sensitive group."""
    return Q(**{f"{prefix}sensitive": False}) & (
        Q(**{f"{prefix}parent__isnull": True}) | Q(**{f"{prefix}parent__sensitive": False}))


def coarse_address(address: str) -> str:
    """The road or compound of an address, never a house, unit or room number."""
    found = HOUSE_NUMBER.search(address)
    return (address[:found.start()] if found else address).strip(" ,，、-—")


def coarse_point(value: float | None) -> float | None:
    """A coordinate to three decimals: a cell of about 110 m by 100 m (in China)."""
    return None if value is None else round(value, 3)


def community_at(code: str) -> Division | None:
    return Division.objects.filter(code=code, level=Level.COMMUNITY).first()


def buildings_of(community: Division) -> QuerySet[Building]:
    """The placed buildings of a community (names only ever reach the public page)."""
    return (Building.objects.in_scope([scope_prefix(community.code)])
            .filter(grid_code__regex=r"^\d{15}$").order_by("name", "pk"))


def jurisdiction_exists(code: str) -> bool:
    return (Division.objects.filter(code=code).exists()
            or Grid.objects.filter(code=code).exists())


def services() -> list[Category]:
    """Active categories no other active category hangs under (what one reports), in tree
    order, each with its parent loaded (the Open311 group); never a sensitive one."""
    categories = list(Category.objects.filter(not_sensitive(), active=True)
                      .select_related("parent"))
    parents = {category.parent_id for category in categories}
    tops = {category.pk: (category.position, category.code)
            for category in categories if category.parent_id is None}

    def in_tree(category: Category) -> tuple:
        top = tops.get(category.parent_id or category.pk, (len(tops), ""))
        return (top, category.position, category.code)

    return sorted((c for c in categories if c.pk not in parents), key=in_tree)


def service_at(code: str) -> Category | None:
    """The active category one may report under this service code (never a sensitive one)."""
    return (Category.objects.filter(not_sensitive(), code=code, active=True)
            .select_related("parent").first())


def public_events(prefix: str = "") -> QuerySet[Event]:
    """Events the public reported (residents' page, Open311), within ``prefix``, each with
    the time it last changed; none of a sensitive category."""
    return (Event.objects.filter(channel=Channel.PUBLIC).filter(prefix_range("grid_code", prefix))
            .filter(not_sensitive("category__"))
            .select_related("category__parent", "building", "organization", "duplicate_of")
            .annotate(updated_at=Max("transitions__at")))


def ticket_of(text: str) -> str | None:
    """A public ticket as typed (any case, spaces or dashes, O for 0), or None when it
    cannot be one."""
    ticket = re.sub(r"[\s-]", "", text).upper().translate(TICKET_READINGS)
    return ticket if re.fullmatch(rf"[0-9A-Z]{{{TICKET_LENGTH}}}", ticket) else None


def public_event(number: str) -> Event | None:
    """The public report with this ticket, for the one who holds it (the status page): also
    when staff filed it under a sensitive category since, which the page then does not
    name."""
    ticket = ticket_of(number)
    if ticket is None:
        return None
    return (Event.objects.filter(channel=Channel.PUBLIC, ticket=ticket)
            .select_related("category__parent", "building", "organization", "duplicate_of")
            .first())


@dataclass(frozen=True)
class Step:
    at: datetime
    state: str  # the state label


def public_timeline(event: Event) -> list[Step]:
    """Each change of state, with its time: no actor, no comment (either may name someone).
    A reopening after an unsatisfied rating says so."""
    return [Step(transition.at, _("Opened again, for the level above")
                 if transition.action == "reopen" else transition.get_target_display())
            for transition in event.transitions.all()
            if transition.action == "report" or transition.source != transition.target]


def survivor_state(event: Event) -> str | None:
    """For a report merged into another, the state of the one that goes on."""
    if event.state != State.MERGED or event.duplicate_of is None:
        return None
    return event.duplicate_of.get_state_display()


@dataclass(frozen=True)
class Feedback:
    at: datetime
    text: str


# States in which the result reported back stands (before a reopening asks for another).
RESULT_STATES = (State.FEEDBACK, State.VERIFIED, State.CLOSED)


def public_feedback(event: Event) -> Feedback | None:
    """The result the handler reported back, which the form told them the resident reads;
    none for a sensitive category, or before there is a result."""
    if event.category.is_sensitive or event.state not in RESULT_STATES:
        return None
    found = event.transitions.filter(action="feedback").order_by("-at", "-id").first()
    return Feedback(found.at, found.comment) if found is not None else None


def public_photos(event: Event) -> list[EventPhoto]:
    """The photos taken after handling, shown with the result (never the report's own,
    nor any of a sensitive category)."""
    if public_feedback(event) is None:
        return []
    return list(event.photos.filter(stage=PhotoStage.AFTER))


def public_rating(event: Event) -> EventRating | None:
    """The rating given since the event was last closed, if any."""
    if event.state != State.CLOSED or event.closed_at is None:
        return None
    return event.ratings.filter(at__gte=event.closed_at).last()


def resident_reports(user: Any) -> QuerySet[Event]:
    """The public reports a resident sent while signed in, newest first (their home page)."""
    return (Event.objects.filter(public_report__resident=user, channel=Channel.PUBLIC)
            .select_related("category__parent").order_by("-reported_at", "-pk"))


def resident_reports_to_rate(user: Any) -> QuerySet[Event]:
    """A resident's reports that are closed and wait for their rating."""
    rated = EventRating.objects.filter(event=OuterRef("pk"), at__gte=OuterRef("closed_at"))
    return resident_reports(user).filter(state=State.CLOSED).exclude(Exists(rated))
