"""Writes for organizations, their members and the grids they serve."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from wangge.divisions.models import Division, Grid
from wangge.foundation.actors import Actor, actor_checked
from wangge.foundation.codes import is_within, level_of
from wangge.foundation.history import delete_unless_used, delete_with_history, save_with_history
from wangge.foundation.permissions import Action, require, require_in_scope
from wangge.normalisers import normalise_credit_code, normalise_phone
from wangge.people.models import Person

from .models import Membership, Organization, ServedGrid


def _checked(organization: Organization, by: Actor) -> None:
    """Normalise the organization's codes and phone in place and check that its division or
    grid exists in the caller's jurisdiction; raise naming every field that breaks a rule."""
    errors: dict[str, list[str]] = {}
    code = organization.grid_code
    try:
        level_of(code)
        if not (Grid if len(code) == 15 else Division).objects.filter(code=code).exists():
            raise ValidationError(_("No division or grid has the code %(code)s.")
                                  % {"code": code})
    except ValidationError as error:
        errors["grid_code"] = error.messages
    for field, normalise in (("credit_code", normalise_credit_code),
                             ("contact_phone", normalise_phone)):
        if value := getattr(organization, field):
            try:
                setattr(organization, field, normalise(value))
            except ValidationError as error:
                errors[field] = error.messages
    if errors:
        raise ValidationError(errors)
    require_in_scope(by, code)
    organization.full_clean()


def _require_own(by: Actor, organization: Organization) -> None:
    """An organization seen only because it serves a grid in the caller's jurisdiction is
    changed by those its own division or grid belongs to."""
    if not is_within(organization.grid_code, actor_checked(by).scope_prefixes):
        raise PermissionDenied(_("%(name)s belongs to %(code)s, outside your jurisdiction; "
                                 "only those who answer for it may change it.")
                               % {"name": organization.name, "code": organization.grid_code})


@transaction.atomic
def organization_create(
    *, name: str, kind: str, grid_code: str, credit_code: str = "", contact_name: str = "",
    contact_phone: str = "", served_grid_codes: Iterable[str] = (), by: Actor,
    reason: str = "",
) -> Organization:
    require(by, Action.EDIT_ORGANIZATIONS)
    organization = Organization(name=name.strip(), kind=kind, grid_code=grid_code,
                                credit_code=credit_code, contact_name=contact_name.strip(),
                                contact_phone=contact_phone)
    _checked(organization, by)
    save_with_history(organization, by=by, reason=reason)
    organization_serve(organization=organization, grid_codes=served_grid_codes, by=by,
                       reason=reason)
    return organization


@transaction.atomic
def organization_update(
    *, organization: Organization, by: Actor, reason: str = "",
    served_grid_codes: Iterable[str] | None = None, **changes: Any,
) -> Organization:
    """Change an organization's fields; ``served_grid_codes``, when given, replaces the grids
    it serves (each one added or dropped must be in the caller's jurisdiction)."""
    require(by, Action.EDIT_ORGANIZATIONS)
    _require_own(by, organization)
    for field, value in changes.items():
        setattr(organization, field, value.strip() if isinstance(value, str) else value)
    _checked(organization, by)
    save_with_history(organization, by=by, reason=reason)
    if served_grid_codes is not None:
        codes = list(dict.fromkeys(served_grid_codes))
        dropped = organization.served_grids.exclude(grid_code__in=codes)
        for served in dropped:
            require_in_scope(by, served.grid_code, "served_grid_codes")
            delete_with_history(served, by=by, reason=reason)
        organization_serve(organization=organization, grid_codes=codes, by=by, reason=reason)
    return organization


@transaction.atomic
def organization_delete(*, organization: Organization, by: Actor, reason: str) -> None:
    """Delete an organization that has no members and serves no grid (remove those first)."""
    require(by, Action.EDIT_ORGANIZATIONS)
    _require_own(by, organization)
    delete_unless_used(organization, by=by, reason=reason)


def organization_serve(
    *, organization: Organization, grid_codes: Iterable[str], by: Actor,
    reason: str = "",
) -> None:
    """Add grids an organization serves (each must exist and be in the caller's scope); each
    added grid has its history row with ``reason``."""
    codes = list(dict.fromkeys(grid_codes))
    known = set(Grid.objects.filter(code__in=codes).values_list("code", flat=True))
    if missing := [code for code in codes if code not in known]:
        raise ValidationError({"served_grid_codes": _("No grid has the code %(code)s.")
                               % {"code": missing[0]}})
    for code in codes:
        require_in_scope(by, code, "served_grid_codes")
    served = set(organization.served_grids.values_list("grid_code", flat=True))
    for code in codes:
        if code not in served:
            save_with_history(ServedGrid(organization=organization, grid_code=code), by=by,
                              reason=reason)


@transaction.atomic
def membership_add(
    *, organization: Organization, person: Person, title: str = "",
    joined_on: datetime.date | None = None, by: Actor, reason: str = "",
) -> Membership:
    require(by, Action.EDIT_ORGANIZATIONS)
    _require_own(by, organization)
    require_in_scope(by, person.grid_code, "person")
    if Membership.objects.filter(organization=organization, person=person).exists():
        raise ValidationError({"person": _("%(name)s is already a member.")
                               % {"name": person.name}})
    membership = Membership(organization=organization, person=person, title=title.strip(),
                            joined_on=joined_on)
    membership.full_clean()
    return save_with_history(membership, by=by, reason=reason)


@transaction.atomic
def membership_remove(*, membership: Membership, by: Actor, reason: str) -> None:
    """End a membership; its history keeps who removed it and why."""
    require(by, Action.EDIT_ORGANIZATIONS)
    _require_own(by, membership.organization)
    delete_unless_used(membership, by=by, reason=reason)
