"""Reads for the public: communities and their buildings, the categories as Open311 services,
public reports, and a timeline with no one's name in it."""

import re
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max, QuerySet

from wangge.divisions.codes import Level, prefix_range, scope_prefix
from wangge.divisions.models import Division, Grid
from wangge.events.models import Category, Channel, Event, State
from wangge.places.models import Building

TICKET = re.compile(r"^SJ(\d{8})$")


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
    order, each with its parent loaded (the Open311 group)."""
    categories = list(Category.objects.filter(active=True).select_related("parent"))
    parents = {category.parent_id for category in categories}
    tops = {category.pk: (category.position, category.code)
            for category in categories if category.parent_id is None}

    def in_tree(category: Category) -> tuple:
        top = tops.get(category.parent_id or category.pk, (len(tops), ""))
        return (top, category.position, category.code)

    return sorted((c for c in categories if c.pk not in parents), key=in_tree)


def service_at(code: str) -> Category | None:
    return Category.objects.filter(code=code, active=True).select_related("parent").first()


def public_events(prefix: str = "") -> QuerySet[Event]:
    """Events the public reported (residents' page, Open311), within ``prefix``, each with
    the time it last changed."""
    return (Event.objects.filter(channel=Channel.PUBLIC).filter(prefix_range("grid_code", prefix))
            .select_related("category", "building", "organization", "duplicate_of")
            .annotate(updated_at=Max("transitions__at")))


def ticket_id(number: str) -> int | None:
    """The event id in a ticket number (SJ00000012), or None for anything else."""
    found = TICKET.match(number.strip().upper())
    return int(found.group(1)) if found else None


def public_event(number: str) -> Event | None:
    pk = ticket_id(number)
    return None if pk is None else public_events().filter(pk=pk).first()


@dataclass(frozen=True)
class Step:
    at: datetime
    state: str  # the state label


def public_timeline(event: Event) -> list[Step]:
    """Each change of state, with its time: no actor, no comment (either may name someone)."""
    return [Step(transition.at, transition.get_target_display())
            for transition in event.transitions.all()
            if transition.action == "report" or transition.source != transition.target]


def survivor_state(event: Event) -> str | None:
    """For a report merged into another, the state of the one that goes on."""
    if event.state != State.MERGED or event.duplicate_of is None:
        return None
    return event.duplicate_of.get_state_display()
