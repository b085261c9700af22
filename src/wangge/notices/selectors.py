"""Reads of notices: those a member of staff sees, each one's receipts per grid of their
jurisdiction, the unread of their grids, and a resident's own."""

from typing import Any

from django.db.models import Count, Q, QuerySet

from wangge.access.models import User
from wangge.divisions.selectors import area_names
from wangge.foundation.codes import parent_code, prefix_range
from wangge.foundation.permissions import Action, can
from wangge.people.models import Person

from .models import Notice, Recipient


def _areas_above(code: str) -> list[str]:
    """The codes of the divisions above ``code`` (a grid's community, street, ... province)."""
    above = []
    current: str | None = code
    while current is not None and (current := parent_code(current)) is not None:
        above.append(current)
    return above


def notices_visible_to(user: User) -> QuerySet[Notice]:
    """Notices for an area that overlaps ``user``'s jurisdiction: inside it (their own and
    their grids'), or around it (a street's notice, seen by the grid workers of its grids,
    who follow its receipts in their grids)."""
    if not can(user, Action.PUBLISH_NOTICES):
        return Notice.objects.none()
    prefixes = user.scope_prefixes
    if "" in prefixes:
        return Notice.objects.all().select_related("sender")
    condition = Q(pk__in=[])
    for jurisdiction in user.jurisdictions.all():
        condition |= prefix_range("code", jurisdiction.prefix)
        condition |= Q(code__in=_areas_above(jurisdiction.code))
    return Notice.objects.filter(condition).select_related("sender")


def receipts_visible_to(user: User) -> QuerySet[Recipient]:
    """Receipts of the persons in ``user``'s jurisdiction (where they lived when told)."""
    if not can(user, Action.PUBLISH_NOTICES):
        return Recipient.objects.none()
    return Recipient.objects.in_scope(user.scope_prefixes)


RECEIPT_COUNTS = {
    "recipients": Count("pk"),
    "read": Count("pk", filter=Q(read_at__isnull=False)),
    "acknowledged": Count("pk", filter=Q(acknowledged_at__isnull=False)),
    "told": Count("pk", filter=Q(told_at__isnull=False)),
    "unread": Count("pk", filter=Q(read_at=None, told_at=None)),
}


def receipts_by_grid(user: User, notice: Notice) -> list[dict[str, Any]]:
    """Per grid of ``user``'s jurisdiction the notice reached: recipients, read,
    acknowledged, told in person and still unread (one grouped query; names in one more)."""
    rows: list[dict[str, Any]] = [dict(row) for row in (
        receipts_visible_to(user).filter(notice=notice).order_by("grid_code")
        .values("grid_code").annotate(**RECEIPT_COUNTS))]
    names = area_names(row["grid_code"] for row in rows)
    for row in rows:
        row["name"] = names.get(row["grid_code"], row["grid_code"])
    return rows


def receipt_totals(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {name: sum(row[name] for row in rows) for name in RECEIPT_COUNTS}


def unread_of(user: User, notice: Notice) -> QuerySet[Recipient]:
    """The recipients in ``user``'s grids who have neither read the notice nor been told."""
    return (receipts_visible_to(user).filter(notice=notice, read_at=None, told_at=None)
            .select_related("person__dwelling__building").order_by("grid_code", "person__name",
                                                                     "pk"))


def unread_by_notice(user: User) -> list[dict[str, Any]]:
    """A grid worker's to-do: per notice in force and grid of theirs, how many have not
    read it nor been told; the most recent notices first."""
    unread = (receipts_visible_to(user)
              .filter(read_at=None, told_at=None, notice__published_at__isnull=False,
                      notice__withdrawn_at=None)
              .values("notice", "notice__title", "notice__urgent", "notice__published_at",
                      "grid_code")
              .annotate(unread=Count("pk")).order_by("-notice__published_at", "grid_code"))
    rows: list[dict[str, Any]] = [dict(row) for row in unread[:50]]
    names = area_names(row["grid_code"] for row in rows)
    for row in rows:
        row["grid_name"] = names.get(row["grid_code"], row["grid_code"])
    return rows


def notices_of(person: Person | None) -> QuerySet[Recipient]:
    """A resident's notices (published, withdrawn ones marked so), the newest first."""
    if person is None:
        return Recipient.objects.none()
    return (Recipient.objects.filter(person=person, notice__published_at__isnull=False)
            .select_related("notice").order_by("-notice__published_at", "-pk"))


def unread_count_of(person: Person | None) -> int:
    return notices_of(person).filter(read_at=None, notice__withdrawn_at=None).count()
