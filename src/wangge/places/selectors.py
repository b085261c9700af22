"""Reads of places, always through the caller's jurisdiction."""

from django.db.models import QuerySet

from wangge.access.models import User
from wangge.foundation.codes import ScopedQuerySet
from wangge.foundation.permissions import Action, can

from .models import Building, BuildingAlias, Dwelling, Enterprise, Facility


def _visible(user: User, queryset: ScopedQuerySet) -> ScopedQuerySet:
    if not can(user, Action.VIEW_PLACES):
        return queryset.none()
    return queryset.in_scope(user.scope_prefixes)


def buildings_visible_to(user: User) -> QuerySet[Building]:
    return _visible(user, Building.objects.all())


def dwellings_visible_to(user: User) -> QuerySet[Dwelling]:
    return _visible(user, Dwelling.objects.all()).select_related("building")


def facilities_visible_to(user: User) -> QuerySet[Facility]:
    return _visible(user, Facility.objects.all())


def enterprises_visible_to(user: User) -> QuerySet[Enterprise]:
    return _visible(user, Enterprise.objects.all())


def building_aliases_visible_to(user: User) -> QuerySet[BuildingAlias]:
    return _visible(user, BuildingAlias.objects.all()).select_related("building")
