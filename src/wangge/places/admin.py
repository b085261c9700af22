from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from wangge.foundation.admin import ContactPhoneMasked, ReasonForm, ScopedAdmin
from wangge.foundation.permissions import Action

from . import services
from .models import Building, BuildingAlias, Dwelling, Enterprise, Facility
from .selectors import (
    building_aliases_visible_to,
    buildings_visible_to,
    dwellings_visible_to,
    enterprises_visible_to,
    facilities_visible_to,
)


class LocatedForm(ReasonForm):
    """A building, facility or enterprise: its services place it in its grid by its point, in
    the user's scope, or file it under the community or street given."""

    division_code = forms.CharField(
        label=_("Community or street code (when no grid contains the point)"), required=False,
        max_length=12,
    )


class PlaceAdmin(ScopedAdmin):
    view_action = Action.VIEW_PLACES
    edit_action = Action.EDIT_PLACES
    form = LocatedForm
    readonly_fields = ["grid_code"]
    search_fields = ["name", "address", "grid_code"]
    create_service: Any
    update_service: Any
    record_name: str

    def create(self, by: Any, data: dict[str, Any], reason: str) -> Any:
        data["division_code"] = data.get("division_code") or None
        return type(self).create_service(**data, by=by, reason=reason)

    def update(self, by: Any, record: Any, changes: dict[str, Any], reason: str) -> Any:
        if not changes.get("division_code"):
            changes.pop("division_code", None)
        return type(self).update_service(**{self.record_name: record}, **changes, by=by,
                                         reason=reason)


@admin.register(Building)
class BuildingAdmin(PlaceAdmin):
    selector = staticmethod(buildings_visible_to)
    create_service = staticmethod(services.building_create)
    update_service = staticmethod(services.building_update)
    record_name = "building"
    fields = ["name", "address", "longitude", "latitude", "units", "floors", "division_code",
              "grid_code", "reason"]
    list_display = ["name", "address", "grid_code", "units", "floors"]


@admin.register(Facility)
class FacilityAdmin(PlaceAdmin):
    selector = staticmethod(facilities_visible_to)
    create_service = staticmethod(services.facility_create)
    update_service = staticmethod(services.facility_update)
    record_name = "facility"
    fields = ["name", "kind", "address", "longitude", "latitude", "capacity", "division_code",
              "grid_code", "reason"]
    list_display = ["name", "kind", "address", "grid_code"]
    list_filter = ["kind"]


@admin.register(Enterprise)
class EnterpriseAdmin(ContactPhoneMasked, PlaceAdmin):
    selector = staticmethod(enterprises_visible_to)
    create_service = staticmethod(services.enterprise_create)
    update_service = staticmethod(services.enterprise_update)
    record_name = "enterprise"
    fields = ["name", "credit_code", "industry", "contact_phone", "address", "longitude",
              "latitude", "division_code", "grid_code", "reason"]
    list_display = ["name", "credit_code", "grid_code"]


@admin.register(Dwelling)
class DwellingAdmin(ScopedAdmin):
    selector = staticmethod(dwellings_visible_to)
    view_action = Action.VIEW_PLACES
    edit_action = Action.EDIT_PLACES
    fields = ["building", "unit", "floor", "room", "grid_code", "reason"]
    raw_id_fields = ["building"]
    list_display = ["__str__", "grid_code"]
    search_fields = ["building__name", "room"]

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        # A dwelling stays in its building (its residents are registered in that grid).
        return ["building", "grid_code"] if obj else ["grid_code"]

    def formfield_for_foreignkey(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if db_field.name == "building":
            kwargs["queryset"] = buildings_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def create(self, by: Any, data: dict[str, Any], reason: str) -> Any:
        return services.dwelling_create(**data, by=by, reason=reason)

    def update(self, by: Any, record: Any, changes: dict[str, Any], reason: str) -> Any:
        return services.dwelling_update(dwelling=record, **changes, by=by, reason=reason)


@admin.register(BuildingAlias)
class BuildingAliasAdmin(ScopedAdmin):
    """Other ways a building is written; the address base reads them first."""

    selector = staticmethod(building_aliases_visible_to)
    view_action = Action.VIEW_PLACES
    edit_action = Action.PLACE_ADDRESSES
    fields = ["building", "text", "grid_code", "reason"]
    raw_id_fields = ["building"]
    list_display = ["text", "building", "grid_code"]
    search_fields = ["text", "building__name"]

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        # An alias is added, never rewritten: a new wording is a new alias.
        return ["building", "text", "grid_code"] if obj else ["grid_code"]

    def formfield_for_foreignkey(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if db_field.name == "building":
            kwargs["queryset"] = buildings_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def create(self, by: Any, data: dict[str, Any], reason: str) -> Any:
        return services.building_alias_add(**data, by=by, reason=reason)
