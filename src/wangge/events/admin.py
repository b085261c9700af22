"""The category tree and the organizations' responders, configured in the back office by
those who may (``Action.CONFIGURE_EVENTS``) through the services; categories are retired,
never deleted."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from wangge.foundation.admin import ServiceAdmin, ServiceForm
from wangge.foundation.permissions import Action, can
from wangge.organizations.models import Organization

from .models import Category, DispatchDefault, Responder
from .selectors import categories_active, responder_candidates
from .services import (
    category_save,
    dispatch_default_add,
    dispatch_default_remove,
    responder_add,
    responder_remove,
)


class ConfigureEvents:
    def has_module_permission(self, request: HttpRequest) -> bool:
        return can(request.user, Action.USE_ADMIN) and can(request.user,
                                                           Action.CONFIGURE_EVENTS)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request)


@admin.register(Category)
class CategoryAdmin(ConfigureEvents, ServiceAdmin, SimpleHistoryAdmin):
    """One tree for the whole platform (a category is not filed under a jurisdiction)."""

    list_display = ["name", "code", "parent", "hours_urgent", "hours_high", "hours_normal",
                    "sensitive", "active"]
    list_filter = ["active", "sensitive", "parent"]
    search_fields = ["name", "code"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # events keep their category: retire it (active) instead

    def create(self, by: Any, data: dict[str, Any], reason: str) -> Category:
        return category_save(category=Category(**data), by=by, reason=reason)

    def update(self, by: Any, record: Any, changes: dict[str, Any], reason: str) -> Category:
        for name, value in changes.items():
            setattr(record, name, value)
        return category_save(category=record, by=by, reason=reason)


class OrganizationPairAdmin(ConfigureEvents, ServiceAdmin):
    """A pair of keys with an organization of the caller's jurisdiction (a responder, a
    usual handler): listed by its organization, added or removed, never changed."""

    form = ServiceForm
    # Chosen among the records in scope: a raw id would show the name of any record.
    autocomplete_fields = ["organization"]
    other: str  # the key paired with the organization

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return self.model.objects.filter(organization__in=Organization.objects.in_scope(
            request.user.scope_prefixes)).select_related("organization", self.other)

    def choices(self, request: Any) -> QuerySet:
        """What the other key may be chosen among."""
        raise NotImplementedError

    def formfield_for_foreignkey(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if db_field.name == "organization":
            kwargs["queryset"] = Organization.objects.in_scope(request.user.scope_prefixes)
        elif db_field.name == self.other:
            kwargs["queryset"] = self.choices(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def remove(self, record: Any, by: Any) -> None:
        raise NotImplementedError

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.remove(obj, request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for record in queryset:
            self.remove(record, request.user)


@admin.register(Responder)
class ResponderAdmin(OrganizationPairAdmin):
    """Who answers for an organization in the caller's jurisdiction."""

    list_display = ["organization", "user"]
    other = "user"

    def choices(self, request: Any) -> QuerySet:
        return responder_candidates(request.user)

    def create(self, by: Any, data: dict[str, Any], reason: str) -> Responder:
        return responder_add(organization=data["organization"], user=data["user"], by=by)

    def remove(self, record: Any, by: Any) -> None:
        responder_remove(responder=record, by=by)


@admin.register(DispatchDefault)
class DispatchDefaultAdmin(OrganizationPairAdmin):
    """Which organization of the caller's jurisdiction usually handles a category (dispatch
    preselects it)."""

    list_display = ["category", "organization"]
    list_filter = ["category"]
    other = "category"

    def choices(self, request: Any) -> QuerySet:
        return categories_active()

    def create(self, by: Any, data: dict[str, Any], reason: str) -> DispatchDefault:
        return dispatch_default_add(category=data["category"],
                                    organization=data["organization"], by=by)

    def remove(self, record: Any, by: Any) -> None:
        dispatch_default_remove(default=record, by=by)
