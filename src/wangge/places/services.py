"""Writes for places. Each checks the caller's role and scope, validates, and records why."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from wangge.divisions.models import Division
from wangge.divisions.selectors import grid_at
from wangge.foundation.actors import Actor
from wangge.foundation.codes import Level, is_within, level_of
from wangge.foundation.history import delete_unless_used, save_with_history
from wangge.foundation.permissions import Action, require, require_in_scope
from wangge.normalisers import normalise_credit_code, normalise_phone

from .models import Building, BuildingAlias, Dwelling, Enterprise, Facility, Located


def placement_code(*, longitude: float | None, latitude: float | None,
                   division_code: str | None = None) -> str:
    """The grid code for a point, or, when no grid contains it, the community or street it was
    filed under (the place is then *unplaced*)."""
    if longitude is not None and latitude is not None:
        if not (-180 <= longitude <= 180 and -90 <= latitude <= 90):
            raise ValidationError({"longitude": _("Longitude and latitude are out of range.")})
        grid = grid_at(longitude, latitude)
        if grid is not None:
            return grid.code
    if not division_code:
        raise ValidationError(
            {"longitude": _("No grid contains this location; give the community or street it "
                            "belongs to (division_code) to keep it as unplaced.")}
        )
    if level_of(division_code) in (Level.GRID, Level.PROVINCE, Level.CITY) or not (
        Division.objects.filter(code=division_code).exists()
    ):
        raise ValidationError(
            {"division_code": _("%(code)s is not a district, street or community.")
             % {"code": division_code}}
        )
    return division_code


def _place(record: Located, *, division_code: str | None, by: Actor) -> None:
    record.grid_code = placement_code(
        longitude=record.longitude, latitude=record.latitude, division_code=division_code
    )
    require_in_scope(by, record.grid_code)


@transaction.atomic
def building_create(
    *, name: str, address: str, longitude: float | None, latitude: float | None,
    units: int = 1, floors: int = 1, division_code: str | None = None,
    has_lift: bool | None = None, by: Actor, reason: str = "",
) -> Building:
    require(by, Action.EDIT_PLACES)
    building = Building(name=name.strip(), address=address.strip(), longitude=longitude,
                        latitude=latitude, units=units, floors=floors, has_lift=has_lift)
    _place(building, division_code=division_code, by=by)
    building.full_clean()
    return save_with_history(building, by=by, reason=reason)


def _located_changed(record: Located, changes: dict[str, Any], by: Actor) -> None:
    """Apply ``changes`` to a building, facility or enterprise; a new location (or
    ``division_code``) places it again, in scope."""
    division_code = changes.pop("division_code", None)
    for field, value in changes.items():
        setattr(record, field, value.strip() if isinstance(value, str) else value)
    if {"longitude", "latitude"} & changes.keys() or division_code:
        _place(record, division_code=division_code or record.grid_code[:12], by=by)


@transaction.atomic
def building_update(
    *, building: Building, by: Actor, reason: str = "", **changes: Any
) -> Building:
    """Change a building's fields; a move into another grid is refused while it has
    dwellings, whose residents are registered in the old grid."""
    require(by, Action.EDIT_PLACES)
    require_in_scope(by, building.grid_code)  # the record as it is, before any move
    old_code = building.grid_code
    _located_changed(building, changes, by)
    if building.grid_code != old_code and building.dwellings.exists():
        raise ValidationError(
            {"longitude": _("This location is in another grid (%(code)s); a building with "
                            "dwellings cannot change grid.") % {"code": building.grid_code}}
        )
    building.full_clean()
    return save_with_history(building, by=by, reason=reason)


@transaction.atomic
def dwelling_create(
    *, building: Building, unit: int, floor: int, room: str, by: Actor,
    reason: str = "",
) -> Dwelling:
    require(by, Action.EDIT_PLACES)
    require_in_scope(by, building.grid_code, "building")
    dwelling = Dwelling(building=building, grid_code=building.grid_code, unit=unit, floor=floor,
                        room=str(room).strip())
    check_dwelling(dwelling)
    return save_with_history(dwelling, by=by, reason=reason)


@transaction.atomic
def dwelling_update(
    *, dwelling: Dwelling, by: Actor, reason: str = "", **changes: Any
) -> Dwelling:
    require(by, Action.EDIT_PLACES)
    require_in_scope(by, dwelling.grid_code)  # the record as it is, before any move
    if "owner_id" in changes:
        _owner_checked(changes["owner_id"], by)
    for field, value in changes.items():
        setattr(dwelling, field, value)
    check_dwelling(dwelling)
    return save_with_history(dwelling, by=by, reason=reason)


def _owner_checked(owner_id: int | None, by: Actor) -> None:
    """An owner is a person of the actor's jurisdiction (the person model is people's, one
    layer up: reached through the relation, not imported)."""
    if owner_id is None:
        return
    persons: Any = Dwelling._meta.get_field("owner").related_model._default_manager
    owner = persons.filter(pk=owner_id, merged_into=None).first()
    if owner is None or not is_within(owner.grid_code, by.scope_prefixes):
        raise ValidationError({"owner_id": _("There is no person with id %(id)s in your "
                                             "jurisdiction.") % {"id": owner_id}})


def check_dwelling(dwelling: Dwelling) -> None:
    """Unit and floor must exist in the building."""
    building = dwelling.building
    errors = {}
    if not 1 <= dwelling.unit <= building.units:
        errors["unit"] = _("Building %(name)s has units 1 to %(units)s.") % {
            "name": building.name, "units": building.units}
    if not -5 <= dwelling.floor <= building.floors or dwelling.floor == 0:
        errors["floor"] = _("Building %(name)s has floors 1 to %(floors)s (basements below "
                            "zero).") % {"name": building.name, "floors": building.floors}
    if dwelling.lease_start and dwelling.lease_end and dwelling.lease_end < dwelling.lease_start:
        errors["lease_end"] = _("A lease cannot end before it starts.")
    if dwelling.floor_area is not None and not 0 < dwelling.floor_area <= 10000:
        errors["floor_area"] = _("Give the floor area in square metres, up to 10,000.")
    if errors:
        raise ValidationError(errors)
    dwelling.full_clean()


@transaction.atomic
def facility_create(
    *, name: str, kind: str, address: str, longitude: float | None, latitude: float | None,
    capacity: int | None = None, division_code: str | None = None, by: Actor,
    reason: str = "",
) -> Facility:
    require(by, Action.EDIT_PLACES)
    facility = Facility(name=name.strip(), kind=kind, address=address.strip(),
                        longitude=longitude, latitude=latitude, capacity=capacity)
    _place(facility, division_code=division_code, by=by)
    facility.full_clean()
    return save_with_history(facility, by=by, reason=reason)


@transaction.atomic
def facility_update(
    *, facility: Facility, by: Actor, reason: str = "", **changes: Any
) -> Facility:
    require(by, Action.EDIT_PLACES)
    require_in_scope(by, facility.grid_code)  # the record as it is, before any move
    _located_changed(facility, changes, by)
    facility.full_clean()
    return save_with_history(facility, by=by, reason=reason)


def _enterprise_normalised(enterprise: Enterprise) -> None:
    """Normalise the credit code and contact phone in place, or raise naming each bad one."""
    errors = {}
    try:
        enterprise.credit_code = normalise_credit_code(enterprise.credit_code)
    except ValidationError as error:
        errors["credit_code"] = error.messages
    if enterprise.contact_phone:
        try:
            enterprise.contact_phone = normalise_phone(enterprise.contact_phone)
        except ValidationError as error:
            errors["contact_phone"] = error.messages
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def enterprise_create(
    *, name: str, credit_code: str, address: str, longitude: float | None,
    latitude: float | None, industry: str = "", contact_phone: str = "",
    division_code: str | None = None, by: Actor, reason: str = "",
) -> Enterprise:
    require(by, Action.EDIT_PLACES)
    enterprise = Enterprise(name=name.strip(), credit_code=credit_code, address=address.strip(),
                            longitude=longitude, latitude=latitude, industry=industry,
                            contact_phone=contact_phone)
    _enterprise_normalised(enterprise)
    _place(enterprise, division_code=division_code, by=by)
    enterprise.full_clean()
    return save_with_history(enterprise, by=by, reason=reason)


@transaction.atomic
def enterprise_update(
    *, enterprise: Enterprise, by: Actor, reason: str = "", **changes: Any
) -> Enterprise:
    require(by, Action.EDIT_PLACES)
    require_in_scope(by, enterprise.grid_code)  # the record as it is, before any move
    _located_changed(enterprise, changes, by)
    _enterprise_normalised(enterprise)
    enterprise.full_clean()
    return save_with_history(enterprise, by=by, reason=reason)


@transaction.atomic
def place_delete(
    *, place: Building | Dwelling | Facility | Enterprise, by: Actor, reason: str
) -> None:
    """Delete a place nothing refers to (a building without dwellings, a dwelling nobody lives
    in or moved through); anything else is corrected, not deleted."""
    require(by, Action.EDIT_PLACES)
    require_in_scope(by, place.grid_code)
    delete_unless_used(place, by=by, reason=reason)


@transaction.atomic
def building_alias_add(
    *, building: Building, text: str, by: Actor, reason: str = "",
) -> BuildingAlias:
    """Remember that ``text`` (an old name, a department's wording such as 惠民家园1栋) means
    ``building``; the same wording already saved for it is returned as it is."""
    require(by, Action.PLACE_ADDRESSES)
    require_in_scope(by, building.grid_code, "building")
    text = " ".join(str(text).split())
    if not text:
        raise ValidationError({"text": _("Write the address as people write it.")})
    if existing := BuildingAlias.objects.filter(building=building, text=text).first():
        return existing
    alias = BuildingAlias(building=building, grid_code=building.grid_code, text=text)
    alias.full_clean()
    return save_with_history(alias, by=by, reason=reason)
