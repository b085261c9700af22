"""Reads of volunteers and party members: the report-ins staff see (their communities', and
those naming a party organization of their jurisdiction), tasks and who takes part, the
ledger, balances and the ranking; and what a resident sees of their own."""

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from wangge.access.models import User
from wangge.foundation.codes import is_within, narrowed, prefix_range
from wangge.foundation.permissions import (
    Action,
    Asker,
    SensitiveField,
    can,
    mask_name,
    shown,
)
from wangge.organizations.models import Organization, OrganizationKind
from wangge.people.models import Person

from .models import (
    LedgerEntry,
    Participation,
    ParticipationState,
    Registration,
    RegistrationState,
    Task,
)

RANKED = 20
MOST_RANKED = 100


# A city has thousands of party organizations: the report-in lists those whose name holds
# what was typed, at most this many, and the one chosen.
PARTY_CHOICES = 20


def party_choices(search: str, chosen: int | None) -> list[tuple[int, str]]:
    """(id, name) of the party organizations whose name holds ``search`` (at most
    ``PARTY_CHOICES``), and of ``chosen``, by name."""
    parties = Organization.objects.filter(kind=OrganizationKind.PARTY)
    options = dict(parties.filter(name__icontains=search).order_by("name")
                   .values_list("pk", "name")[:PARTY_CHOICES]) if search else {}
    if chosen is not None:
        options.update(parties.filter(pk=chosen).values_list("pk", "name"))
    return sorted(options.items(), key=lambda option: option[1])


def registrations_visible_to(user: User) -> QuerySet[Registration]:
    """Report-ins to a community of ``user``'s jurisdiction, and (双报到) those of party
    members naming a party organization whose code is in it: the organization's side."""
    if not can(user, Action.MANAGE_VOLUNTEERS):
        return Registration.objects.none()
    found = Registration.objects.select_related("person", "party_organization")
    prefixes = user.scope_prefixes
    if "" in prefixes:
        return found.all()
    condition = Q(pk__in=[])
    for prefix in prefixes:
        condition |= prefix_range("code", prefix)
        condition |= prefix_range("party_organization__grid_code", prefix) & Q(
            as_party_member=True)
    return found.filter(condition)


def registrations_decided_by(user: User) -> QuerySet[Registration]:
    """The report-ins ``user`` answers for as the community (confirm, decline, call, points)."""
    if not can(user, Action.MANAGE_VOLUNTEERS):
        return Registration.objects.none()
    return Registration.objects.in_scope(user.scope_prefixes).select_related(
        "person", "party_organization")


def is_community_side(user: Asker, registration: Registration) -> bool:
    return can(user, Action.MANAGE_VOLUNTEERS) and is_within(
        registration.code, getattr(user, "scope_prefixes", []))


def volunteers_filtered(user: User, *, state: str = "", skill: str = "",
                        party: bool | None = None) -> QuerySet[Registration]:
    registrations = registrations_visible_to(user)
    if state:
        registrations = registrations.filter(state=state)
    if skill:
        # JSON containment is not on SQLite: the skill is a quoted word in the stored list.
        registrations = registrations.filter(skills__icontains=f'"{skill}"')
    if party is not None:
        registrations = registrations.filter(as_party_member=party)
    return registrations.order_by("state", "-created", "-pk")


def phone_shown(user: User, person: Person) -> object:
    """A volunteer's phone as ``user``'s role may see it."""
    return shown(user, SensitiveField.PHONE, person.phone)


def tasks_visible_to(user: User) -> QuerySet[Task]:
    if not can(user, Action.MANAGE_VOLUNTEERS):
        return Task.objects.none()
    return narrowed(Task.objects.all(), user.scope_prefixes).annotate(
        taking_part=Count("participations",
                          filter=Q(participations__state=ParticipationState.SIGNED_UP)))


def participants_of(task: Task) -> QuerySet[Participation]:
    return (task.participations.select_related("registration__person", "hours_by")
            .order_by("state", "registration__person__name", "pk"))


def participations_visible_to(user: User) -> QuerySet[Participation]:
    if not can(user, Action.MANAGE_VOLUNTEERS):
        return Participation.objects.none()
    prefixes = user.scope_prefixes
    found = Participation.objects.select_related("task", "registration__person")
    if "" in prefixes:
        return found
    condition = Q(pk__in=[])
    for prefix in prefixes:
        condition |= prefix_range("task__code", prefix)
    return found.filter(condition)


def ledger_visible_to(user: User) -> QuerySet[LedgerEntry]:
    if not can(user, Action.MANAGE_VOLUNTEERS):
        return LedgerEntry.objects.none()
    return LedgerEntry.objects.in_scope(user.scope_prefixes).select_related("by", "task")


def balance(person: Person, code: str | None = None) -> Decimal:
    """The sum of the person's ledger lines (in one community, or all)."""
    entries = LedgerEntry.objects.filter(person=person)
    if code is not None:
        entries = entries.filter(code=code)
    return entries.aggregate(total=Sum("points"))["total"] or Decimal(0)


def ranking(code: str, *, since: datetime.date | None = None,
            until: datetime.date | None = None, limit: int = RANKED,
            full_names: bool = False) -> list[dict[str, Any]]:
    """The community's top ``limit`` by points earned in the period (``until`` inclusive),
    one grouped query; names in full for the community's staff, else masked (张*三)."""
    entries = LedgerEntry.objects.filter(code=code)
    if since is not None:
        entries = entries.filter(created__date__gte=since)
    if until is not None:
        entries = entries.filter(created__date__lte=until)
    rows = (entries.values("person", "person__name").annotate(points=Sum("points"))
            .filter(points__gt=0).order_by("-points", "person__name", "person")
            [:max(1, min(limit, MOST_RANKED))])
    return [{"rank": place, "person_id": row["person"] if full_names else None,
             "name": row["person__name"] if full_names else mask_name(row["person__name"]),
             "points": row["points"]} for place, row in enumerate(rows, 1)]


# -- a resident's own ------------------------------------------------------------------------

def own_registration(person: Person | None) -> Registration | None:
    if person is None:
        return None
    return (Registration.objects.filter(person=person, code=person.grid_code[:12])
            .select_related("party_organization").first())


def own_participations(person: Person | None) -> QuerySet[Participation]:
    """The tasks a resident takes part in or was called for, the next first."""
    if person is None:
        return Participation.objects.none()
    return (Participation.objects.filter(registration__person=person)
            .select_related("task").order_by("-task__starts_at", "-pk"))


def open_tasks_for(person: Person | None) -> QuerySet[Task]:
    """Tasks not yet started of the communities where the person is a confirmed volunteer,
    with how many take part; the soonest first."""
    if person is None:
        return Task.objects.none()
    codes = Registration.objects.filter(person=person, state=RegistrationState.CONFIRMED
                                        ).values("code")
    return (Task.objects.filter(code__in=codes, cancelled_at=None,
                                starts_at__gt=timezone.now())
            .annotate(taking_part=Count("participations", filter=Q(
                participations__state=ParticipationState.SIGNED_UP)))
            .order_by("starts_at", "pk"))


def own_ledger(person: Person | None) -> QuerySet[LedgerEntry]:
    if person is None:
        return LedgerEntry.objects.none()
    return LedgerEntry.objects.filter(person=person).select_related("task")
