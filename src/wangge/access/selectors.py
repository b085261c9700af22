"""Scope checks shared by every app's services and selectors."""

import functools
import operator

from django.db.models import QuerySet

from wangge.access.models import Jurisdiction, User
from wangge.foundation.codes import prefix_range
from wangge.foundation.permissions import Action, can


def grid_workers_of(grid_code: str) -> "list[User]":
    """The grid workers who cover a grid."""
    return list(
        User.objects.filter(role="grid_worker", is_active=True, jurisdictions__code=grid_code)
        .order_by("username")
    )


def users_visible_to(user: User) -> "QuerySet[User]":
    """The accounts ``user`` manages: those answering for a code in its jurisdiction (never a
    superuser, unless it is one)."""
    if not can(user, Action.MANAGE_ACCOUNTS):
        return User.objects.none()
    if user.is_superuser:
        return User.objects.all()
    prefixes = user.scope_prefixes
    if not prefixes:
        return User.objects.none()
    within = Jurisdiction.objects.filter(
        functools.reduce(operator.or_, (prefix_range("code", prefix) for prefix in prefixes)))
    return (User.objects.filter(is_superuser=False, pk__in=within.values("user_id"))
            .order_by("username"))
