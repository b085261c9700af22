"""Reads of care: visits, the visits due, and the share of people visited on time.

What is due is never stored: per person under a rule, the next visit is due ``interval``
days after the last visit to them (under any rule: one call covers them all), or after their
circumstance began when they were never visited. Each active rule is one query over the
caller's circumstances with the last visit as a subquery on an indexed column (a visit's
person and time), so a grid worker's list costs a query per rule however many people.

Visits and what is due say who is in a vulnerable population: only roles that see
circumstances (``populations.selectors.sees_circumstances``) read them.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.access.models import User
from wangge.events.models import Priority
from wangge.events.selectors import OPEN_STATES
from wangge.events.tally import day_start
from wangge.foundation.codes import narrowed, scope_prefix
from wangge.foundation.permissions import Action, SensitiveField, can, sees_unmasked
from wangge.people.models import Person
from wangge.populations.selectors import circumstances_visible_to, sees_circumstances

from .models import CareRule, CareVisit, MedicalRequest
from .services import rule_members


def care_rules() -> list[CareRule]:
    """The rules in use, with their population's fields (for ``rule_members``)."""
    return list(CareRule.objects.filter(active=True).select_related("population", "category")
                .prefetch_related("population__fields"))


def visits_visible_to(user: User) -> QuerySet[CareVisit]:
    if not sees_circumstances(user):
        return CareVisit.objects.none()
    return CareVisit.objects.in_scope(user.scope_prefixes).select_related(
        "person", "rule__population", "visitor", "event")


@dataclass(frozen=True)
class DueVisit:
    """A person whose next visit is due on ``due_on`` (today or earlier) under ``rule``."""

    person: Person
    rule: CareRule
    last_visit: datetime.datetime | None
    since: datetime.date | None
    due_on: datetime.date
    today: datetime.date

    @property
    def overdue(self) -> bool:
        return self.due_on < self.today

    @property
    def days_overdue(self) -> int:
        return max((self.today - self.due_on).days, 0)


def _last_visit() -> Subquery:
    return Subquery(CareVisit.objects.filter(person=OuterRef("person"))
                    .order_by("-visited_at").values("visited_at")[:1])


def visits_due(user: User, *, code: str = "") -> list[DueVisit]:
    """The visits due today or overdue in the user's jurisdiction (narrowed to a division or
    grid ``code``), the longest overdue first; a person under several rules is listed once,
    under the one that makes them due first."""
    if not sees_circumstances(user):
        return []
    today = timezone.localdate()
    circumstances = circumstances_visible_to(user)
    if code:
        circumstances = narrowed(circumstances, [scope_prefix(code)])
    found: dict[int, DueVisit] = {}
    for rule in care_rules():
        cutoff = today - datetime.timedelta(days=rule.interval_days)
        # Annotated: the type checker does not know "last_visit" as a field.
        rows: QuerySet[Any] = (
            circumstances.filter(rule_members(rule)).annotate(last_visit=_last_visit())
                .filter(Q(last_visit__lt=day_start(cutoff + datetime.timedelta(days=1)))
                        | Q(last_visit=None, since__lte=cutoff) | Q(last_visit=None, since=None))
                .select_related("person__dwelling__building"))
        for circumstance in rows:
            last = circumstance.last_visit
            base = (timezone.localdate(last) if last is not None
                    else circumstance.since or today - datetime.timedelta(rule.interval_days))
            due = DueVisit(person=circumstance.person, rule=rule, last_visit=last,
                           since=circumstance.since, today=today,
                           due_on=base + datetime.timedelta(days=rule.interval_days))
            earlier = found.get(circumstance.person_id)
            if earlier is None or (due.due_on, rule.interval_days) < (
                    earlier.due_on, earlier.rule.interval_days):
                found[circumstance.person_id] = due
    return sorted(found.values(), key=lambda due: (due.due_on, due.person.name, due.person.pk))


def visit_due_for(user: User, person: Person) -> list[CareRule]:
    """The rules ``person`` is under (as the caller sees them), tightest first: what a visit
    to them is recorded under."""
    if not sees_circumstances(user):
        return []
    circumstances = circumstances_visible_to(user).filter(person=person)
    return [rule for rule in care_rules()
            if circumstances.filter(rule_members(rule)).exists()]


@dataclass(frozen=True)
class OnTime:
    """People under a rule in an area on a day, and how many of them were visited within
    their rule's interval before it (or joined less than an interval before)."""

    people: int
    on_time: int

    @property
    def share(self) -> float | None:
        return self.on_time / self.people if self.people else None

    def __add__(self, other: "OnTime") -> "OnTime":
        return OnTime(self.people + other.people, self.on_time + other.on_time)


def visits_on_time(user: User, prefixes: list[str], digits: int, *,
                   on: datetime.date) -> dict[str, OnTime]:
    """Per area (the first ``digits`` of the grid code, within ``prefixes``): the people
    under a rule on the day ``on`` and how many were visited on time as of that day. A
    person under two rules counts under each. One grouped query per rule."""
    if not sees_circumstances(user):
        return {}
    members = narrowed(circumstances_visible_to(user), prefixes)
    end = day_start(on + datetime.timedelta(days=1))
    found: dict[str, OnTime] = {}
    for rule in care_rules():
        cutoff = on - datetime.timedelta(days=rule.interval_days)
        visited = Exists(CareVisit.objects.filter(
            person=OuterRef("person"), visited_at__gte=day_start(
                cutoff + datetime.timedelta(days=1)), visited_at__lt=end))
        rows = (members.filter(rule_members(rule, on)).order_by()
                .annotate(area=Substr("person__grid_code", 1, digits)).values("area")
                .annotate(people=Count("pk"),
                          on_time=Count("pk", filter=Q(visited) | Q(since__gt=cutoff))))
        for row in rows:
            found[row["area"]] = found.get(row["area"], OnTime(0, 0)) + OnTime(
                row["people"], row["on_time"])
    return found


def rule_label(rule: CareRule) -> str:
    """A rule as a person reads it: "老年人 (居住情况: 独居), every 7 days"."""
    condition = ""
    if rule.field_key:
        field = next((field for field in rule.population.fields.all()
                      if field.key == rule.field_key), None)
        value = dict(field.choice_list()).get(rule.field_value, rule.field_value) if field \
            else rule.field_value
        condition = f" ({field.label if field else rule.field_key}: {value})"
    return str(_("%(population)s%(condition)s, every %(days)s days") % {
        "population": rule.population.name, "condition": condition,
        "days": rule.interval_days})


def medical_requests_visible_to(user: User) -> QuerySet[MedicalRequest]:
    """Requests in the user's jurisdiction, for a role that sees people's health, or for
    the staff of the centre a request was sent to (its responders): symptoms are health
    data, read by those who need them."""
    if not can(user, Action.VIEW_PEOPLE):
        return MedicalRequest.objects.none()
    scoped = MedicalRequest.objects.in_scope(user.scope_prefixes)
    if not sees_unmasked(user, SensitiveField.HEALTH_STATUS):
        scoped = scoped.filter(centre__responders__user=user)
    return scoped.select_related("person", "centre", "event__category", "requested_by",
                                 "delivery_confirmed_by")


# Served first: the most urgent priority, from the event (raised for a person under a
# measure).
PRIORITY_RANK = Case(When(event__priority=Priority.URGENT, then=0),
                     When(event__priority=Priority.HIGH, then=1), default=2)


def medical_queue(user: User) -> QuerySet[MedicalRequest]:
    """The open requests the user sees, in the order they are served: people under an
    active restrictive measure first, then by priority, then the oldest first."""
    return (medical_requests_visible_to(user).filter(event__state__in=OPEN_STATES)
            .order_by("-under_measure", PRIORITY_RANK, "requested_at", "pk"))
