"""Reads of organizations: those belonging to, or serving, the caller's jurisdiction."""

from django.db.models import Q, QuerySet

from wangge.access.models import User
from wangge.access.permissions import Action, can
from wangge.divisions.codes import prefix_range

from .models import Organization


def organizations_visible_to(user: User) -> QuerySet[Organization]:
    if not can(user, Action.VIEW_ORGANIZATIONS):
        return Organization.objects.none()
    prefixes = user.scope_prefixes
    if "" in prefixes:
        return Organization.objects.all()
    condition = Q(pk__in=[])
    for prefix in prefixes:
        condition |= prefix_range("grid_code", prefix)
        condition |= prefix_range("served_grids__grid_code", prefix)
    return Organization.objects.filter(condition).distinct()
