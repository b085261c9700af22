"""Reads of the emergency resource database, always through the caller's jurisdiction (the
code prefix): a community sees its own records, a street or district everything below it."""

import datetime
from typing import TYPE_CHECKING, TypeVar

from django.conf import settings
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from wangge.foundation.codes import narrowed, prefix_range
from wangge.foundation.permissions import Action, can
from wangge.people.models import Person

from .models import (
    AllocationRun,
    CallablePerson,
    Condition,
    Depot,
    DispatchOrder,
    Material,
    Provider,
    Shelter,
    StockAlert,
    SupplyRequest,
    Utility,
    Vehicle,
)

if TYPE_CHECKING:
    from wangge.access.models import User


Record = TypeVar("Record", Depot, Material, Shelter, Utility, Provider, CallablePerson,
                 Vehicle, StockAlert, SupplyRequest, AllocationRun)


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


def supply_requests_visible_to(user: "User") -> QuerySet[SupplyRequest]:
    return _visible(user, SupplyRequest.objects.select_related("category", "requested_by")
                    .annotate(vulnerable_residents=vulnerable_residents()))


def allocation_runs_visible_to(user: "User") -> QuerySet[AllocationRun]:
    return _visible(user, AllocationRun.objects.select_related("run_by"))


def dispatch_orders_visible_to(user: "User") -> QuerySet[DispatchOrder]:
    """Orders to a grid of the caller's jurisdiction, or from a depot in it (those who
    dispatch them)."""
    orders = DispatchOrder.objects.select_related("depot", "request__category")
    if not can(user, Action.VIEW_RESOURCES):
        return orders.none()
    prefixes = list(user.scope_prefixes)
    if "" in prefixes:
        return orders
    condition = Q(pk__in=[])
    for prefix in prefixes:
        condition |= prefix_range("grid_code", prefix) | prefix_range("depot__grid_code", prefix)
    return orders.filter(condition)


def vulnerable_residents() -> Coalesce:
    """How many residents of a request's grid carry a vulnerable-group tag: a count, never
    who (a request shows it beside "for vulnerable residents")."""
    counted = (Person.objects.filter(grid_code=OuterRef("grid_code"), merged_into__isnull=True)
               .exclude(vulnerable_tags=[]).order_by().values("grid_code")
               .annotate(count=Count("pk")).values("count"))
    return Coalesce(Subquery(counted), 0)
