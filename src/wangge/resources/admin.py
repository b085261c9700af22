"""The back office of the emergency resource database: each kind a ScopedAdmin over its
selector, saved through the services with the reason its form asks for (phones masked by
role); the material categories are global data, read only."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from wangge.foundation.admin import (
    ContactPhoneMasked,
    ListedOnlyAdmin,
    NotFoundAdmin,
    ScopedAdmin,
)
from wangge.foundation.permissions import Action, can
from wangge.organizations.selectors import organizations_visible_to

from . import selectors
from .models import (
    AllocationRun,
    CallablePerson,
    Depot,
    DispatchOrder,
    Material,
    MaterialCategory,
    Provider,
    Shelter,
    SupplyRequest,
    Utility,
    Vehicle,
)
from .services import resource_create, resource_update


class ResourceAdmin(ContactPhoneMasked, ScopedAdmin):
    view_action = Action.VIEW_RESOURCES
    edit_action = Action.EDIT_RESOURCES
    search_fields = ["name"]

    def formfield_for_foreignkey(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if db_field.name in ("owner", "organization"):
            kwargs["queryset"] = organizations_visible_to(request.user)
        elif db_field.name == "depot":
            kwargs["queryset"] = selectors.depots_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def create(self, by: Any, data: dict[str, Any], reason: str) -> Any:
        return resource_create(model=self.model, by=by, reason=reason, **data)

    def update(self, by: Any, record: Any, changes: dict[str, Any], reason: str) -> Any:
        return resource_update(record=record, by=by, reason=reason, **changes)


class PlacedAdmin(ResourceAdmin):
    """Places are filed where their point or address lies (a material where its depot is),
    never by a code typed here; people and vehicles on call are filed under the code given."""

    readonly_fields = ["grid_code"]


@admin.register(Depot)
class DepotAdmin(PlacedAdmin):
    selector = staticmethod(selectors.depots_visible_to)
    fields = ["name", "address", "longitude", "latitude", "grid_code", "owner",
              "contact_name", "contact_phone", "reason"]
    list_display = ["name", "address", "owner", "grid_code"]


@admin.register(Material)
class MaterialAdmin(PlacedAdmin):
    selector = staticmethod(selectors.materials_visible_to)
    fields = ["depot", "category", "item", "quantity", "unit", "expires_on", "owner",
              "low_stock_threshold", "grid_code", "reason"]
    list_display = ["item", "quantity", "unit", "expires_on", "depot", "category"]
    list_filter = ["category"]
    search_fields = ["item"]


@admin.register(Shelter)
class ShelterAdmin(PlacedAdmin):
    selector = staticmethod(selectors.shelters_visible_to)
    fields = ["name", "address", "longitude", "latitude", "grid_code", "capacity",
              "occupancy", "drinking_water", "power", "lighting", "toilets", "step_free",
              "owner", "contact_name", "contact_phone", "reason"]
    list_display = ["name", "capacity", "occupancy", "grid_code"]


@admin.register(Utility)
class UtilityAdmin(PlacedAdmin):
    selector = staticmethod(selectors.utilities_visible_to)
    fields = ["name", "kind", "in_service", "address", "longitude", "latitude", "grid_code",
              "owner", "contact_name", "contact_phone", "reason"]
    list_display = ["name", "kind", "in_service", "grid_code"]
    list_filter = ["kind", "in_service"]


@admin.register(Provider)
class ProviderAdmin(PlacedAdmin):
    selector = staticmethod(selectors.providers_visible_to)
    fields = ["name", "kind", "capacity", "address", "longitude", "latitude", "grid_code",
              "organization", "contact_name", "contact_phone", "reason"]
    list_display = ["name", "kind", "capacity", "grid_code"]
    list_filter = ["kind"]


@admin.register(CallablePerson)
class CallablePersonAdmin(ResourceAdmin):
    selector = staticmethod(selectors.callable_people_visible_to)
    fields = ["name", "skills", "contact_phone", "grid_code", "organization", "reason"]
    list_display = ["name", "skills", "grid_code"]
    search_fields = ["name", "skills"]


@admin.register(Vehicle)
class VehicleAdmin(ResourceAdmin):
    selector = staticmethod(selectors.vehicles_visible_to)
    fields = ["plate", "kind", "capacity", "grid_code", "owner", "contact_name",
              "contact_phone", "reason"]
    list_display = ["plate", "kind", "capacity", "grid_code"]
    search_fields = ["plate", "kind"]


@admin.register(MaterialCategory)
class MaterialCategoryAdmin(NotFoundAdmin, SimpleHistoryAdmin):
    """The same categories everywhere (migration 0002): shown, never changed here."""

    list_display = ["code", "name", "order"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can(request.user, Action.USE_ADMIN) and can(request.user, Action.VIEW_RESOURCES)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SupplyAdmin(ListedOnlyAdmin):
    """Requests, allocation runs and dispatch orders: filed, planned, confirmed, sent and
    received on their pages and the API, each step checked there."""

    view_action = edit_action = Action.VIEW_RESOURCES


@admin.register(SupplyRequest)
class SupplyRequestAdmin(SupplyAdmin):
    selector = staticmethod(selectors.supply_requests_visible_to)
    list_display = ["item", "quantity", "unit", "priority", "status", "grid_code"]
    list_filter = ["status", "priority"]
    search_fields = ["item"]


@admin.register(AllocationRun)
class AllocationRunAdmin(SupplyAdmin):
    selector = staticmethod(selectors.allocation_runs_visible_to)
    list_display = ["run_at", "status", "weighted_unmet", "transport_km", "grid_code"]
    list_filter = ["status"]


@admin.register(DispatchOrder)
class DispatchOrderAdmin(SupplyAdmin):
    selector = staticmethod(selectors.dispatch_orders_visible_to)
    list_display = ["item", "quantity", "depot", "status", "grid_code"]
    list_filter = ["status"]
    search_fields = ["item"]
