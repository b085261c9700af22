"""Reads of the emergency resource database, always through the caller's jurisdiction (the
code prefix): a community sees its own records, a street or district everything below it."""

import datetime
from typing import TYPE_CHECKING, TypeVar

from django.conf import settings
from django.db.models import BooleanField, ExpressionWrapper, F, Q, QuerySet
from django.utils import timezone

from wangge.foundation.codes import narrowed
from wangge.foundation.permissions import Action, can

from .models import (
    CallablePerson,
    Condition,
    Depot,
    Material,
    Provider,
    Shelter,
    StockAlert,
    Utility,
    Vehicle,
)

if TYPE_CHECKING:
    from wangge.access.models import User


Record = TypeVar("Record", Depot, Material, Shelter, Utility, Provider, CallablePerson,
                 Vehicle, StockAlert)


def _visible(user: "User", queryset: QuerySet[Record]) -> QuerySet[Record]:
    if not can(user, Action.VIEW_RESOURCES):
        return queryset.none()
    return narrowed(queryset, user.scope_prefixes)


def depots_visible_to(user: "User") -> QuerySet[Depot]:
    return _visible(user, Depot.objects.select_related("owner"))


def materials_visible_to(user: "User") -> QuerySet[Material]:
    return _visible(user, Material.objects.select_related("depot", "category", "owner"))


def shelters_visible_to(user: "User") -> QuerySet[Shelter]:
    return _visible(user, Shelter.objects.select_related("owner"))


def utilities_visible_to(user: "User") -> QuerySet[Utility]:
    return _visible(user, Utility.objects.select_related("owner"))


def providers_visible_to(user: "User") -> QuerySet[Provider]:
    return _visible(user, Provider.objects.select_related("organization"))


def callable_people_visible_to(user: "User") -> QuerySet[CallablePerson]:
    return _visible(user, CallablePerson.objects.select_related("organization"))


def vehicles_visible_to(user: "User") -> QuerySet[Vehicle]:
    return _visible(user, Vehicle.objects.select_related("owner"))


def stock_alerts_visible_to(user: "User") -> QuerySet[StockAlert]:
    return _visible(user, StockAlert.objects.select_related("material"))


def expiry_warning_days() -> int:
    return settings.WANGGE_EXPIRY_WARNING_DAYS


def in_condition(condition: str, today: datetime.date | None = None) -> Q:
    """Materials in ``condition`` on ``today``: at or below their threshold (an empty line
    too, when its threshold is zero), expiring within the warning days, or past expiry (an
    empty line is neither: nothing is left to expire)."""
    today = today or timezone.localdate()
    if condition == Condition.LOW_STOCK:
        return Q(quantity__lte=F("low_stock_threshold"))
    stocked = Q(quantity__gt=0, expires_on__isnull=False)
    if condition == Condition.EXPIRED:
        return stocked & Q(expires_on__lt=today)
    if condition == Condition.EXPIRING:
        warning = today + datetime.timedelta(days=expiry_warning_days())
        return stocked & Q(expires_on__gte=today, expires_on__lte=warning)
    raise ValueError(f"unknown condition {condition!r}")


def needing_attention(user: "User") -> QuerySet[Material]:
    """The materials the caller sees in any condition, the most urgent first, each with
    ``in_<condition>`` true for the conditions it is in."""
    condition = Q(pk__in=[])
    for name in Condition.values:
        condition |= in_condition(name)
    return materials_visible_to(user).filter(condition).annotate(**{
        f"in_{name}": ExpressionWrapper(in_condition(name), output_field=BooleanField())
        for name in Condition.values}).order_by("expires_on", "quantity")
