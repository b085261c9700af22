"""Reads of cases and exposures, always through the caller's jurisdiction, and the chain of
transmission of a case both ways.

A case's status, dates and test results are health data: a role that sees a person's health
status masked (``permissions.shown``) sees them masked too (``sees_health``), and cannot
filter by them; a read of them unmasked is logged by the page or API that shows it.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from wangge.access.models import User
from wangge.foundation.permissions import HIDDEN, Action, Asker, SensitiveField, can, sees_unmasked

from .models import Case, CaseTest, Exposure, ExposureDegree, Venue, VenueVisit

# How far the chain is followed each way, and how many cases and contacts it shows at most.
CHAIN_DEPTH = 5
CHAIN_SIZE = 300


def cases_visible_to(user: User) -> QuerySet[Case]:
    if not can(user, Action.VIEW_CASES):
        return Case.objects.none()
    return Case.objects.in_scope(user.scope_prefixes)


def exposures_visible_to(user: User) -> QuerySet[Exposure]:
    """Exposures filed under the caller's jurisdiction (the contact's grid)."""
    if not can(user, Action.VIEW_CASES):
        return Exposure.objects.none()
    return Exposure.objects.in_scope(user.scope_prefixes)


def venues_visible_to(user: User) -> QuerySet[Venue]:
    if not can(user, Action.VIEW_CASES):
        return Venue.objects.none()
    return Venue.objects.in_scope(user.scope_prefixes)


def visits_visible_to(user: User) -> QuerySet[VenueVisit]:
    """Visits of venues in the caller's jurisdiction."""
    if not can(user, Action.VIEW_CASES):
        return VenueVisit.objects.none()
    return VenueVisit.objects.in_scope(user.scope_prefixes)


def sees_health(user: Asker) -> bool:
    """Whether ``user`` sees a case's status, dates and tests unmasked."""
    return sees_unmasked(user, SensitiveField.HEALTH_STATUS)


HEALTH_FIELDS = ("status", "onset_on", "confirmed_on", "ended_on")


def case_shown(user: Asker, case: Case) -> dict[str, Any]:
    """A case's health fields as ``user`` may see them (``***`` when masked), with the
    status's label."""
    if not sees_health(user):
        return {**dict.fromkeys(HEALTH_FIELDS, HIDDEN), "status_label": HIDDEN}
    return {"status": case.status, "status_label": case.get_status_display(),
            "onset_on": case.onset_on, "confirmed_on": case.confirmed_on,
            "ended_on": case.ended_on}


def case_test_shown(user: Asker, test: CaseTest) -> dict[str, Any]:
    if not sees_health(user):
        return {"positive": HIDDEN, "result": HIDDEN}
    return {"positive": test.positive, "result": None}


def person_cases(user: User, person_id: int) -> list[tuple[Case, dict[str, Any]]]:
    """The person's cases ``user`` sees, each with its health fields as shown (the person's
    page)."""
    return [(case, case_shown(user, case)) for case in
            cases_visible_to(user).filter(person_id=person_id)[:20]]


def case_history(case: Case) -> list[dict[str, Any]]:
    """The case's history, newest first: when, who, why, and the status then."""
    rows = case.history.select_related("history_user").order_by("-history_date", "-pk")[:100]
    return [{"when": row.history_date, "who": getattr(row.history_user, "username", ""),
             "reason": row.history_change_reason or "", "status": row.status,
             "kind": row.history_type} for row in rows]


# --- the chain of transmission ----------------------------------------------------------

@dataclass
class Contact:
    exposure: Exposure
    secondary: list[Exposure] = field(default_factory=list)


@dataclass
class Node:
    """A case in the chain, with its contacts and the cases caught from it."""

    case: Case
    contacts: list[Contact] = field(default_factory=list)
    hidden_contacts: int = 0
    onward: list["Node"] = field(default_factory=list)
    hidden_onward: int = 0


@dataclass
class Chain:
    """``upward``: the sources, nearest first (``hidden_upward`` beyond what the caller may
    see, where the walk stops); ``exposed_to``: the exposures that led to the case (its
    person listed as a contact of other cases); ``root``: the case and, downward, its contacts
    and onward cases. ``truncated``: the depth or size bound was reached."""

    root: Node
    upward: list[Case] = field(default_factory=list)
    hidden_upward: int = 0
    exposed_to: list[Exposure] = field(default_factory=list)
    hidden_exposed_to: int = 0
    truncated: bool = False
    size: int = 0


def transmission_chain(case: Case, user: User, *, depth: int = CHAIN_DEPTH,
                       size: int = CHAIN_SIZE) -> Chain:
    """The chain of ``case`` (which the caller sees) both ways, bounded by ``depth`` levels
    and ``size`` records; what the caller may not see is counted, never shown. A few queries
    per level, however many cases it holds."""
    visible = cases_visible_to(user)
    chain = Chain(root=Node(case))
    # Upward: the source cases, while the caller sees them.
    current, seen = case, {case.pk}
    for _level in range(depth):
        source_id = current.source_case_id
        if source_id is None or source_id in seen:
            break
        source = visible.select_related("person").filter(pk=source_id).first()
        if source is None:
            chain.hidden_upward += 1
            break
        chain.upward.append(source)
        seen.add(source_id)
        current = source
    else:
        chain.truncated = current.source_case_id is not None
    exposed = Exposure.objects.filter(person_id=case.person_id).exclude(case=case)
    shown = list(exposures_visible_to(user).filter(pk__in=exposed.values("pk"))
                 .select_related("case__person").order_by("-last_contact_on")[:50])
    seen_cases = set(visible.filter(pk__in={exposure.case_id for exposure in shown})
                     .values_list("pk", flat=True))
    chain.exposed_to = [exposure for exposure in shown if exposure.case_id in seen_cases]
    chain.hidden_exposed_to = exposed.count() - len(chain.exposed_to)
    # Downward: each level's contacts and onward cases.
    level = [chain.root]
    chain.size = 1
    for number in range(depth):
        if not level:
            break
        ids = [node.case.pk for node in level]
        nodes = {node.case.pk: node for node in level}
        _contacts(user, nodes, size - chain.size, chain)
        if number == depth - 1:
            if Case.objects.filter(source_case_id__in=ids).exists():
                chain.truncated = True
            break
        onward = Case.objects.filter(source_case_id__in=ids).exclude(pk__in=seen)
        shown_cases = list(visible.filter(pk__in=onward.values("pk")).select_related("person")
                           .order_by("reported_on", "pk")[:max(0, size - chain.size)])
        counts: dict[int, int] = {}
        for source_id in onward.values_list("source_case_id", flat=True):
            counts[source_id] = counts.get(source_id, 0) + 1
        next_level = []
        for found in shown_cases:
            node = Node(found)
            nodes[found.source_case_id].onward.append(node)  # type: ignore[index]
            seen.add(found.pk)
            next_level.append(node)
        for pk, node in nodes.items():
            node.hidden_onward = counts.get(pk, 0) - len(node.onward)
        chain.size += len(shown_cases)
        if sum(counts.values()) > len(shown_cases) and chain.size >= size:
            chain.truncated = True
        level = next_level
    return chain


def _contacts(user: User, nodes: dict[int, Node], room: int, chain: Chain) -> None:
    """Fill each node's close contacts (with their secondary contacts) that the caller sees,
    and count the others."""
    everyone = Exposure.objects.filter(case_id__in=list(nodes))
    totals: dict[int, int] = {}
    for case_id in everyone.values_list("case_id", flat=True):
        totals[case_id] = totals.get(case_id, 0) + 1
    shown = list(exposures_visible_to(user).filter(case_id__in=list(nodes))
                 .select_related("person").order_by("case_id", "degree", "person__name",
                                                    "pk")[:max(0, room)])
    if len(shown) < sum(totals.values()) and len(shown) >= room:
        chain.truncated = True
    by_id = {exposure.pk: exposure for exposure in shown}
    contacts: dict[int, Contact] = {}
    for exposure in shown:
        if exposure.degree == ExposureDegree.CLOSE:
            contacts[exposure.pk] = Contact(exposure)
            nodes[exposure.case_id].contacts.append(contacts[exposure.pk])
    for exposure in shown:
        if exposure.degree == ExposureDegree.SECONDARY:
            if exposure.via_id in contacts:
                contacts[exposure.via_id].secondary.append(exposure)
            else:  # through a close contact the caller does not see: shown alone
                nodes[exposure.case_id].contacts.append(Contact(exposure))
    for pk, node in nodes.items():
        node.hidden_contacts = totals.get(pk, 0) - sum(
            1 for exposure in by_id.values() if exposure.case_id == pk)
    chain.size += len(shown)
