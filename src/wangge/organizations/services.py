"""Writes for organizations, their members and the grids they serve."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from wangge.access.models import User
from wangge.access.permissions import Action
from wangge.access.selectors import require, require_in_scope
from wangge.audit import save_with_history
from wangge.divisions.codes import level_of
from wangge.divisions.models import Division, Grid
from wangge.normalisers import normalise_credit_code, normalise_phone
from wangge.people.models import Person

from .models import Membership, Organization, ServedGrid


@transaction.atomic
def organization_create(
    *, name: str, kind: str, grid_code: str, credit_code: str = "", contact_name: str = "",
    contact_phone: str = "", served_grid_codes: Iterable[str] = (), by: User | None = None,
    reason: str = "",
) -> Organization:
    require(by, Action.EDIT_ORGANIZATIONS)
    organization = Organization(name=name.strip(), kind=kind, grid_code=grid_code,
                                contact_name=contact_name.strip())
    errors: dict[str, list[str]] = {}
    level_of(grid_code)
    if not (Grid if len(grid_code) == 15 else Division).objects.filter(code=grid_code).exists():
        errors["grid_code"] = [_("No division or grid has the code %(code)s.")
                               % {"code": grid_code}]
    for field, normalise, value in (("credit_code", normalise_credit_code, credit_code),
                                    ("contact_phone", normalise_phone, contact_phone)):
        if value:
            try:
                setattr(organization, field, normalise(value))
            except ValidationError as error:
                errors[field] = error.messages
    if errors:
        raise ValidationError(errors)
    require_in_scope(by, grid_code)
    organization.full_clean()
    save_with_history(organization, by=by, reason=reason)
    organization_serve(organization=organization, grid_codes=served_grid_codes, by=by)
    return organization


def organization_serve(
    *, organization: Organization, grid_codes: Iterable[str], by: User | None = None
) -> None:
    """Record the grids an organization serves (each must exist and be in the caller's scope)."""
    codes = list(dict.fromkeys(grid_codes))
    known = set(Grid.objects.filter(code__in=codes).values_list("code", flat=True))
    if missing := [code for code in codes if code not in known]:
        raise ValidationError({"served_grid_codes": _("No grid has the code %(code)s.")
                               % {"code": missing[0]}})
    for code in codes:
        require_in_scope(by, code, "served_grid_codes")
    ServedGrid.objects.bulk_create(
        [ServedGrid(organization=organization, grid_code=code) for code in codes],
        ignore_conflicts=True,
    )


@transaction.atomic
def membership_add(
    *, organization: Organization, person: Person, title: str = "",
    joined_on: datetime.date | None = None, by: User | None = None, reason: str = "",
) -> Membership:
    require(by, Action.EDIT_ORGANIZATIONS)
    if Membership.objects.filter(organization=organization, person=person).exists():
        raise ValidationError({"person": _("%(name)s is already a member.")
                               % {"name": person.name}})
    membership = Membership(organization=organization, person=person, title=title.strip(),
                            joined_on=joined_on)
    return save_with_history(membership, by=by, reason=reason)
