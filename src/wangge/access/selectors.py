"""Reads of accounts: the grid workers of a grid, the accounts an administrator manages."""

import functools
import operator
from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from wangge.access.models import Jurisdiction, User
from wangge.divisions.selectors import area_names
from wangge.foundation.actors import Actor
from wangge.foundation.codes import prefix_range
from wangge.foundation.permissions import (
    Action,
    Role,
    can,
    grantable_roles,
    manages_accounts,
)


def grid_workers_of(grid_code: str) -> "list[User]":
    """The grid workers who cover a grid."""
    return list(
        User.objects.filter(role="grid_worker", is_active=True, jurisdictions__code=grid_code)
        .order_by("username")
    )


def _within(prefixes: Iterable[str]) -> Q:
    return functools.reduce(operator.or_, (prefix_range("code", prefix) for prefix in prefixes))


def users_visible_to(user: Actor) -> "QuerySet[User]":
    """The accounts ``user`` manages: for the security administrator, those answering for a
    code in its jurisdiction (never a superuser, unless it is one); for a district or street
    administrator, the accounts of the roles it may give (``permissions.ACCOUNT_GRANTS``) that
    answer for codes in its jurisdiction and nowhere else: an account that also answers for
    another street is not theirs to see."""
    if not manages_accounts(user):
        return User.objects.none()
    if user.is_superuser:
        return User.objects.all()
    prefixes = user.scope_prefixes
    if not prefixes:
        return User.objects.none()
    within = Jurisdiction.objects.filter(_within(prefixes))
    accounts = User.objects.filter(is_superuser=False, pk__in=within.values("user_id"))
    if not can(user, Action.MANAGE_ACCOUNTS):
        outside = Jurisdiction.objects.exclude(_within(prefixes))
        accounts = (accounts.filter(role__in=grantable_roles(user))
                    .exclude(pk__in=outside.values("user_id")))
    return accounts.order_by("username")


# The fields of an account whose changes its history page lists (the password is never kept).
_SHOWN_CHANGES = ("role", "is_active", "first_name", "last_name", "email")


def account_history(account: User) -> list[dict[str, Any]]:
    """Every change to an account, newest first: when, who (by name), why, and what: fields
    changed from what to what, jurisdictions added or removed (by their names). Two queries
    for the rows, one for the names."""
    versions = list(account.history.select_related("history_user").order_by("history_id"))
    grants = list(Jurisdiction.history.filter(user_id=account.pk)
                  .select_related("history_user").order_by("history_id"))
    names = area_names(grant.code for grant in grants)
    labels = {name: getattr(User._meta.get_field(name), "verbose_name", name)
              for name in _SHOWN_CHANGES}
    entries = []
    for previous, version in zip([None, *versions], versions, strict=False):
        changes = []
        if previous is not None:
            for change in version.diff_against(previous, included_fields=_SHOWN_CHANGES).changes:
                changes.append({"label": labels[change.field],
                                "old": _account_value(change.field, change.old),
                                "new": _account_value(change.field, change.new)})
        entries.append(_entry(version, changes, created=previous is None))
    for grant in grants:
        name = names.get(grant.code, grant.code)
        what = (_("Jurisdiction added: %(name)s") if grant.history_type == "+"
                else _("Jurisdiction removed: %(name)s") if grant.history_type == "-"
                else None)
        if what is not None:
            entries.append(_entry(grant, [{"label": what % {"name": name}}], created=False))
    return sorted(entries, key=lambda entry: entry["when"], reverse=True)


def _entry(version: Any, changes: list[dict[str, Any]], *, created: bool) -> dict[str, Any]:
    who = version.history_user
    return {"when": version.history_date,
            "who": (who.get_full_name() or who.username) if who is not None else "",
            "reason": version.history_change_reason or "",
            "created": created, "changes": changes}


def _account_value(field: str, value: Any) -> str:
    if field == "role":
        return str(Role(value).label) if value in Role.values else str(value)
    if field == "is_active":
        return str(_("active") if value else _("deactivated"))
    return str(value or "—")
