"""The kinds of record of the resource database as the pages show them: the path's name, the
model, its scoped selector, the fields a form edits and the columns a list shows."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wangge.foundation.permissions import SensitiveField, shown

from . import selectors
from .models import (
    CallablePerson,
    Depot,
    Material,
    Provider,
    Shelter,
    Utility,
    Vehicle,
)
from .services import AnyResource

CONTACT = ("contact_name", "contact_phone")
PLACED = ("name", "address", "longitude", "latitude")


@dataclass(frozen=True)
class Kind:
    slug: str
    title: Promise
    model: type[AnyResource]
    selector: Callable[[Any], QuerySet]
    fields: tuple[str, ...]  # edited by the form, shown on the record's page
    columns: tuple[str, ...]  # shown in the list beside the record's name
    search: str  # the field ``?q=`` searches

    def label(self, name: str) -> str:
        return str(getattr(self.model._meta.get_field(name), "verbose_name", name))

    @property
    def placed(self) -> bool:
        """Filed by its point or address (else by a code given, or its depot's)."""
        return "address" in self.fields


KINDS = {kind.slug: kind for kind in (
    Kind("depots", _("Depots"), Depot, selectors.depots_visible_to,
         (*PLACED, "owner", *CONTACT), ("address", "owner"), "name"),
    Kind("materials", _("Materials"), Material, selectors.materials_visible_to,
         ("depot", "category", "item", "quantity", "unit", "expires_on", "owner",
          "low_stock_threshold"), ("quantity", "unit", "expires_on", "depot"), "item"),
    Kind("shelters", _("Shelters"), Shelter, selectors.shelters_visible_to,
         (*PLACED, "capacity", "occupancy", "drinking_water", "power", "lighting", "toilets",
          "step_free", "owner", *CONTACT), ("capacity", "occupancy"), "name"),
    Kind("utilities", _("Utilities"), Utility, selectors.utilities_visible_to,
         (*PLACED, "kind", "in_service", "owner", *CONTACT), ("kind", "in_service"), "name"),
    Kind("providers", _("Food and lodging"), Provider, selectors.providers_visible_to,
         (*PLACED, "kind", "capacity", "organization", *CONTACT), ("kind", "capacity"),
         "name"),
    Kind("people", _("People on call"), CallablePerson,
         selectors.callable_people_visible_to,
         ("name", "skills", "contact_phone", "grid_code", "organization"),
         ("skills", "contact_phone"), "name"),
    Kind("vehicles", _("Vehicles"), Vehicle, selectors.vehicles_visible_to,
         ("plate", "kind", "capacity", "grid_code", "owner", *CONTACT), ("kind", "capacity"),
         "plate"),
)}
KIND_OF_MODEL = {kind.model: kind for kind in KINDS.values()}


def kind_named(slug: str) -> Kind:
    if slug not in KINDS:
        raise Http404
    return KINDS[slug]


def field_shown(user: Any, record: Model, name: str) -> object:
    """A field's value as ``user`` may read it: a choice's label, a yes or no, a phone masked
    for a role that sees phones masked."""
    field = record._meta.get_field(name)
    value = getattr(record, name)
    if name == "contact_phone":
        return shown(user, SensitiveField.PHONE, value)
    if getattr(field, "choices", None):
        return getattr(record, f"get_{name}_display")()
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if value is None or value == "":
        return "—"
    return value
