"""Scope checks shared by every app's services and selectors."""

import functools
import operator

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from wangge.divisions.codes import is_within, prefix_range

from .actors import Actor, actor_checked
from .models import Jurisdiction, User
from .permissions import Action, can


def require(user: Actor, action: Action) -> None:
    """Refuse a user who may not take ``action`` (a system actor may take any); a missing
    actor (None) is a TypeError, never a pass."""
    if not can(actor_checked(user), action):
        raise PermissionDenied(_("Your role may not do this."))


def require_in_scope(user: Actor, code: str, field: str = "grid_code") -> None:
    """Refuse a write that would put a record outside the actor's jurisdiction."""
    if not is_within(code, actor_checked(user).scope_prefixes):
        raise ValidationError(
            {field: _("%(code)s is outside your jurisdiction.") % {"code": code}}
        )


def grid_workers_of(grid_code: str) -> "list[User]":
    """The grid workers who cover a grid."""
    return list(
        User.objects.filter(role="grid_worker", is_active=True, jurisdictions__code=grid_code)
        .order_by("username")
    )


def users_visible_to(user: Actor) -> "QuerySet[User]":
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
