from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from wangge.access.admin import ContactPhoneMasked, ReasonForm, ScopedAdmin
from wangge.access.permissions import Action
from wangge.access.selectors import require_in_scope
from wangge.normalisers import normalise_credit_code, normalise_phone

from .models import Building, Dwelling, Enterprise, Facility
from .selectors import (
    buildings_visible_to,
    dwellings_visible_to,
    enterprises_visible_to,
    facilities_visible_to,
)
from .services import check_dwelling, placement_code


class LocatedForm(ReasonForm):
    """Places a building, facility or enterprise in its grid by its point, in the user's scope."""

    division_code = forms.CharField(
        label=_("Community or street code (when no grid contains the point)"), required=False,
        max_length=12,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        place = self.instance

        def check() -> None:
            place.grid_code = placement_code(
                longitude=cleaned.get("longitude"), latitude=cleaned.get("latitude"),
                division_code=cleaned.get("division_code") or None,
            )
            require_in_scope(self.user, place.grid_code, "longitude")

        self.clean_with(check)
        return cleaned


class EnterpriseForm(LocatedForm):
    def clean_credit_code(self) -> str:
        return normalise_credit_code(self.cleaned_data["credit_code"])

    def clean_contact_phone(self) -> str:
        phone = self.cleaned_data["contact_phone"]
        return normalise_phone(phone) if phone else ""


class DwellingForm(ReasonForm):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        dwelling = self.instance
        if building := cleaned.get("building"):
            dwelling.grid_code = building.grid_code
            for field in ("unit", "floor", "room"):
                setattr(dwelling, field, cleaned.get(field))
            self.clean_with(lambda: check_dwelling(dwelling))
        return cleaned


class PlaceAdmin(ScopedAdmin):
    view_action = Action.VIEW_PLACES
    edit_action = Action.EDIT_PLACES
    form = LocatedForm
    readonly_fields = ["grid_code"]
    search_fields = ["name", "address", "grid_code"]


@admin.register(Building)
class BuildingAdmin(PlaceAdmin):
    selector = staticmethod(buildings_visible_to)
    fields = ["name", "address", "longitude", "latitude", "units", "floors", "division_code",
              "grid_code", "reason"]
    list_display = ["name", "address", "grid_code", "units", "floors"]


@admin.register(Facility)
class FacilityAdmin(PlaceAdmin):
    selector = staticmethod(facilities_visible_to)
    fields = ["name", "kind", "address", "longitude", "latitude", "capacity", "division_code",
              "grid_code", "reason"]
    list_display = ["name", "kind", "address", "grid_code"]
    list_filter = ["kind"]


@admin.register(Enterprise)
class EnterpriseAdmin(ContactPhoneMasked, PlaceAdmin):
    selector = staticmethod(enterprises_visible_to)
    form = EnterpriseForm
    fields = ["name", "credit_code", "industry", "contact_phone", "address", "longitude",
              "latitude", "division_code", "grid_code", "reason"]
    list_display = ["name", "credit_code", "grid_code"]


@admin.register(Dwelling)
class DwellingAdmin(ScopedAdmin):
    selector = staticmethod(dwellings_visible_to)
    view_action = Action.VIEW_PLACES
    edit_action = Action.EDIT_PLACES
    form = DwellingForm
    fields = ["building", "unit", "floor", "room", "grid_code", "reason"]
    readonly_fields = ["grid_code"]
    raw_id_fields = ["building"]
    list_display = ["__str__", "grid_code"]
    search_fields = ["building__name", "room"]

    def formfield_for_foreignkey(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if db_field.name == "building":
            kwargs["queryset"] = buildings_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
