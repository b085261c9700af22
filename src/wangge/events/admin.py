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

from .models import Category, Responder
from .selectors import responder_candidates
from .services import category_save, responder_add, responder_remove


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


@admin.register(Responder)
class ResponderAdmin(ConfigureEvents, ServiceAdmin):
    """Who answers for an organization in the caller's jurisdiction: added or removed, not
    changed (a responder is a pair of keys)."""

    form = ServiceForm
    list_display = ["organization", "user"]
    # Chosen among the records in scope: a raw id would show the name of any record.
    autocomplete_fields = ["organization"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Responder]:
        return Responder.objects.filter(organization__in=Organization.objects.in_scope(
            request.user.scope_prefixes)).select_related("organization", "user")

    def formfield_for_foreignkey(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if db_field.name == "organization":
            kwargs["queryset"] = Organization.objects.in_scope(request.user.scope_prefixes)
        elif db_field.name == "user":
            kwargs["queryset"] = responder_candidates(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def create(self, by: Any, data: dict[str, Any], reason: str) -> Responder:
        return responder_add(organization=data["organization"], user=data["user"], by=by)

    def delete_model(self, request: HttpRequest, obj: Responder) -> None:
        responder_remove(responder=obj, by=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Responder]) -> None:
        for responder in queryset:
            responder_remove(responder=responder, by=request.user)
