"""Reads of lawful measures, always through the caller's jurisdiction: measures, appeals (the
deciding authority's queue, overdue first), and what a role sees of a measure's health data."""

import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from wangge.access.models import User
from wangge.foundation.codes import prefix_range
from wangge.foundation.permissions import (
    HIDDEN,
    Action,
    Asker,
    SensitiveField,
    can,
    sees_unmasked,
    shown,
)
from wangge.organizations.models import Organization

from .models import Appeal, AppealState, LegalBasis, Measure, MeasurePower, MeasureState


def measures_visible_to(user: User) -> QuerySet[Measure]:
    if not can(user, Action.VIEW_MEASURES):
        return Measure.objects.none()
    return Measure.objects.in_scope(user.scope_prefixes).select_related(
        "person", "building", "legal_basis", "authority", "responsible", "proposer",
        "approver")


def under_active_measure(person: str = "") -> Exists:
    """Whether a person (the outer row itself, or its field ``person``) is under an active
    measure now: one of their own, or their building's access control. For the queues that
    serve them first (care's medical requests)."""
    path = f"{person}__" if person else ""
    return Exists(Measure.objects.filter(state=MeasureState.ACTIVE).filter(
        Q(person=OuterRef(person or "pk"))
        | Q(building__isnull=False, building=OuterRef(f"{path}dwelling__building"))))


def measures_filtered(user: User, *, state: str = "", kind: str = "", code: str = "",
                      waiting_for_me: bool = False) -> QuerySet[Measure]:
    """The list's filters: state, kind, an area of the jurisdiction, and those waiting for
    the caller's approval (a level below them, proposed by someone else)."""
    measures = measures_visible_to(user)
    if state:
        measures = measures.filter(state=state)
    if kind:
        measures = measures.filter(kind=kind)
    if code:
        measures = measures.filter(prefix_range("grid_code", code))
    if waiting_for_me:
        measures = measures.filter(Q(state=MeasureState.PENDING) | Q(
            state=MeasureState.ACTIVE, extension_ends_on__isnull=False)).exclude(
            proposer=user).filter(_decided_below(user))
    return measures


def _decided_below(user: User) -> Q:
    """Measures whose deciding authority's area lies strictly inside one of the user's
    jurisdictions (``services.above``, as a query): inside it, and not the jurisdiction
    itself."""
    condition = Q(pk__in=[])
    for prefix in user.scope_prefixes:
        if not prefix:
            return Q(authority__isnull=False)
        condition |= Q(authority__grid_code__startswith=prefix) & ~Q(
            authority__grid_code__in=[prefix.ljust(12, "0"), prefix.ljust(15, "0")])
    return condition


def appeals_visible_to(user: User) -> QuerySet[Appeal]:
    if not can(user, Action.VIEW_MEASURES):
        return Appeal.objects.none()
    return Appeal.objects.in_scope(user.scope_prefixes).select_related(
        "measure__person", "measure__building", "measure__authority", "answered_by")


def appeal_queue(user: User, *, now: datetime.datetime | None = None) -> QuerySet[Appeal]:
    """The open appeals of the caller's jurisdiction, the most urgent first."""
    return appeals_visible_to(user).filter(state=AppealState.OPEN).order_by("due_at", "pk")


def appeals_overdue(user: User, *, now: datetime.datetime | None = None) -> QuerySet[Appeal]:
    return appeal_queue(user).filter(due_at__lt=now or timezone.now())


def deciding_authorities(user: Asker, kind: str = "") -> QuerySet[Organization]:
    """Organizations holding a power to decide measures, those of the caller's jurisdiction
    or above it (a street office decides for its communities)."""
    powers = MeasurePower.objects.all()
    prefixes = list(getattr(user, "scope_prefixes", []))
    if "" not in prefixes:
        condition = Q(pk__in=[])
        for prefix in prefixes:
            condition |= prefix_range("grid_code", prefix)
            for length in (2, 4, 6, 9, 12):
                if length < len(prefix):
                    condition |= Q(grid_code__startswith=prefix[:length],
                                   grid_code__endswith="0" * (12 - length))
        powers = powers.filter(condition)
    ids = [power.organization_id for power in powers if not kind or kind in power.kinds]
    return Organization.objects.filter(pk__in=ids).order_by("grid_code", "name")


def legal_bases(kind: str = "") -> list[LegalBasis]:
    """The legal bases in force (for ``kind``, those providing for it)."""
    return [basis for basis in LegalBasis.objects.filter(active=True)
            if not kind or kind in basis.kinds]


def sees_health(user: Asker) -> bool:
    """Whether ``user`` sees what a person's measure says of their health (its reason)
    unmasked: roles that see health status, and those who decide and approve measures,
    whose work it is. Such a read is logged."""
    return (sees_unmasked(user, SensitiveField.HEALTH_STATUS)
            or can(user, Action.PROPOSE_MEASURES))


def measure_shown(user: Asker, measure: Measure) -> dict[str, Any]:
    """A measure's sensitive values as ``user`` may see them: the reason (health data) and
    the person's ID number and phone (masked as everywhere; the full ID never on a list)."""
    person = measure.person
    return {
        "cause": measure.cause if sees_health(user) else HIDDEN,
        "id_number": shown(user, SensitiveField.ID_NUMBER, person.id_number, revealed=False)
        if person else "",
        "phone": shown(user, SensitiveField.PHONE, person.phone) if person else "",
    }


def measure_powers_visible_to(user: User) -> QuerySet[MeasurePower]:
    """The powers granted to organizations of the caller's jurisdiction."""
    if not can(user, Action.VIEW_MEASURES):
        return MeasurePower.objects.none()
    return MeasurePower.objects.in_scope(user.scope_prefixes).select_related("organization")
