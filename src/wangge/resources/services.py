"""Writes of the emergency resource database. ``resource_checked`` holds every rule; pages,
the admin, the API and the imports all save through ``resource_create`` / ``resource_update``,
and a delivery or a dispatch through ``material_adjust``."""

import decimal
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from wangge.divisions.models import Division, Grid
from wangge.divisions.selectors import grid_at
from wangge.foundation.actors import Actor
from wangge.foundation.codes import level_of
from wangge.foundation.history import delete_unless_used, save_with_history, stated_reason
from wangge.foundation.permissions import Action, require, require_in_scope
from wangge.normalisers import normalise_phone
from wangge.normalisers.text import fold_width
from wangge.organizations.models import Organization
from wangge.organizations.selectors import organizations_visible_to
from wangge.places.addresses import AddressBase, Refusal
from wangge.places.models import Building, Located

from .models import CallablePerson, Depot, Material, Provider, Shelter, Utility, Vehicle

if TYPE_CHECKING:
    from wangge.access.models import User

# Every kind of record here carries the code that scopes it.
AnyResource = Depot | Material | Shelter | Utility | Provider | CallablePerson | Vehicle
Resource = TypeVar("Resource", bound=AnyResource)

ORGANIZATION_FIELDS = ("owner", "organization")
# What moves a record to another grid or division: placing it again follows.
PLACEMENT_FIELDS = frozenset({"longitude", "latitude", "address", "grid_code", "depot"})


def known_code(code: str, field: str = "grid_code") -> str:
    """``code`` itself when it is an existing grid or division, or a ValidationError."""
    code = fold_width(str(code))
    try:
        level_of(code)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error
    exists = (Grid.objects.filter(code=code) if len(code) == 15
              else Division.objects.filter(code=code)).exists()
    if not exists:
        raise ValidationError({field: _("%(code)s is not a known grid or division.")
                               % {"code": code}})
    return code


def _placed_code(record: Located, code: str | None, by: Actor,
                 addresses: AddressBase | None) -> str:
    """Where a depot, shelter, utility or provider is filed: the grid its point lies in, the
    grid or division code given, or the grid of the building its address names (in
    ``addresses``, the actor's address base loaded once for a file, or loaded here)."""
    if record.longitude is not None and record.latitude is not None:
        if not (-180 <= record.longitude <= 180 and -90 <= record.latitude <= 90):
            raise ValidationError({"longitude": _("Longitude and latitude are out of range.")})
        if (grid := grid_at(record.longitude, record.latitude)) is not None:
            return grid.code
    if code:
        return known_code(code)
    found = (addresses or AddressBase(list(by.scope_prefixes))).building(record.address)
    if isinstance(found, Refusal):
        raise ValidationError({"address": _(
            "Give a location, a grid or division code, or an address that names one building: "
            "%(why)s") % {"why": found.message}})
    return Building.objects.values_list("grid_code", flat=True).get(pk=found)


def _normalised(record: AnyResource) -> dict[str, list[str]]:
    """Strip text, normalise phones and fold plates in place; the errors by field."""
    errors: dict[str, list[str]] = {}
    for field in record._meta.concrete_fields:
        value = getattr(record, field.attname)
        if isinstance(value, str):
            setattr(record, field.attname, value.strip())
    if not isinstance(record, Material) and (phone := record.contact_phone):
        try:
            record.contact_phone = normalise_phone(phone)
        except ValidationError as error:
            errors["contact_phone"] = error.messages
    if isinstance(record, Vehicle):
        record.plate = fold_width(record.plate).replace("·", "").replace("-", "").upper()
    return errors


def organizations_seen_by(*, by: Actor) -> QuerySet[Organization]:
    """The organizations ``by`` may name as an owner: those it sees (a system actor reads
    like a superuser within its scope, as the selector expects)."""
    return organizations_visible_to(cast("User", by))


def _organizations_checked(record: models.Model, by: Actor) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    visible = organizations_seen_by(by=by)
    for name in ORGANIZATION_FIELDS:
        organization = getattr(record, name, None) if hasattr(record, f"{name}_id") else None
        if organization is not None and not visible.filter(pk=organization.pk).exists():
            errors[name] = [_("%(name)s is not an organization you see.")
                            % {"name": organization}]
    return errors


def _material_checked(material: Material, by: Actor) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if material.depot_id is None:
        raise ValidationError({"depot": _("Say which depot holds it.")})
    depot = material.depot
    require_in_scope(by, depot.grid_code, "depot")
    material.grid_code = depot.grid_code
    if material.owner_id is None:
        material.owner = depot.owner
    if material.quantity is not None and material.quantity < 0:
        errors["quantity"] = [_("A quantity cannot be below zero.")]
    if material.low_stock_threshold is not None and material.low_stock_threshold < 0:
        errors["low_stock_threshold"] = [_("A threshold cannot be below zero.")]
    same_batch = Material.objects.filter(depot=depot, item=material.item, unit=material.unit,
                                         expires_on=material.expires_on
                                         ).exclude(pk=material.pk)
    if same_batch.exists():
        errors["item"] = [_("%(depot)s already has a line of %(item)s in %(unit)s with this "
                            "expiry date: change its quantity instead.")
                          % {"depot": depot, "item": material.item, "unit": material.unit}]
    return errors


def resource_checked(record: Resource, *, by: Actor, grid_code: str | None = None,
                     place: bool = True, addresses: AddressBase | None = None) -> Resource:
    """``record`` normalised and checked against every rule, or a ValidationError naming each
    field that fails: phones, plates, organizations the actor sees, placement (``place``) in
    the actor's jurisdiction, one line per batch, occupancy within capacity."""
    require(by, Action.EDIT_RESOURCES)
    errors = _normalised(record) | _organizations_checked(record, by)
    if errors:
        raise ValidationError(errors)
    if isinstance(record, Material):
        errors = _material_checked(record, by)
    elif isinstance(record, Located):
        if place:
            record.grid_code = _placed_code(record, grid_code, by, addresses)
    elif place:
        record.grid_code = known_code(grid_code or record.grid_code)
    require_in_scope(by, record.grid_code)
    if isinstance(record, Shelter) and record.occupancy > record.capacity:
        errors["occupancy"] = [_("Occupancy cannot exceed the capacity (%(capacity)s).")
                               % {"capacity": record.capacity}]
    if errors:
        raise ValidationError(errors)
    record.full_clean()
    return record


@transaction.atomic
def resource_create(*, model: type[Resource], by: Actor, reason: str,
                    grid_code: str | None = None, **fields: Any) -> Resource:
    """A new record of ``model`` (a depot, material, shelter, utility, provider, person on
    call or vehicle), checked and saved with its history."""
    reason = stated_reason(reason)
    record = resource_checked(model(**fields), by=by, grid_code=grid_code)
    return save_with_history(record, by=by, reason=reason)


@transaction.atomic
def resource_update(*, record: Resource, by: Actor, reason: str,
                    grid_code: str | None = None, **changes: Any) -> Resource:
    """Change ``record``'s fields; a new location, address or code places it again (within
    the actor's jurisdiction, as the record was before)."""
    reason = stated_reason(reason)
    require(by, Action.EDIT_RESOURCES)
    require_in_scope(by, record.grid_code)  # as it is now
    for name, value in changes.items():
        setattr(record, name, value)
    place = grid_code is not None or bool(PLACEMENT_FIELDS & changes.keys())
    resource_checked(record, by=by, grid_code=grid_code, place=place)
    return save_with_history(record, by=by, reason=reason)


@transaction.atomic
def resource_delete(*, record: AnyResource, by: Actor, reason: str) -> None:
    """Delete a record nothing depends on (a depot without materials); a material's alerts
    are about it alone and go with it."""
    require(by, Action.EDIT_RESOURCES)
    require_in_scope(by, record.grid_code)
    delete_unless_used(record, by=by, reason=reason,
                       used_by=[] if isinstance(record, Material) else None)


def depot_create(*, name: str, address: str, owner: Organization, by: Actor, reason: str,
                 longitude: float | None = None, latitude: float | None = None,
                 grid_code: str | None = None, contact_name: str = "",
                 contact_phone: str = "") -> Depot:
    return resource_create(model=Depot, by=by, reason=reason, grid_code=grid_code, name=name,
                           address=address, owner=owner, longitude=longitude,
                           latitude=latitude, contact_name=contact_name,
                           contact_phone=contact_phone)


def material_create(*, depot: Depot, category: Any, item: str, quantity: decimal.Decimal,
                    unit: str, by: Actor, reason: str, expires_on: Any = None,
                    owner: Organization | None = None,
                    low_stock_threshold: decimal.Decimal = decimal.Decimal(0)) -> Material:
    return resource_create(model=Material, by=by, reason=reason, depot=depot,
                           category=category, item=item, quantity=quantity, unit=unit,
                           expires_on=expires_on, owner=owner,
                           low_stock_threshold=low_stock_threshold)


@transaction.atomic
def material_adjust(*, material: Material, change: decimal.Decimal, by: Actor,
                    reason: str) -> Material:
    """A delivery (``change`` above zero) or a dispatch (below): the line is locked while it
    is read and written, so two dispatches never both take the last box; never below zero."""
    reason = stated_reason(reason)
    require(by, Action.EDIT_RESOURCES)
    locked = Material.objects.select_for_update().select_related("depot").get(pk=material.pk)
    require_in_scope(by, locked.grid_code)
    quantity = locked.quantity + decimal.Decimal(change)
    if quantity < 0:
        raise ValidationError({"change": _(
            "Only %(quantity)s %(unit)s of %(item)s are in stock.") % {
            "quantity": f"{locked.quantity.normalize():f}", "unit": locked.unit,
            "item": locked.item}})
    locked.quantity = quantity
    save_with_history(locked, by=by, reason=reason)
    material.quantity = locked.quantity
    return locked
