"""The category tree and the organizations' responders, configured in the back office by
those who may (``Action.CONFIGURE_EVENTS``); categories are retired, never deleted."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from wangge.access.permissions import Action, can

from .models import Category, Responder


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
class CategoryAdmin(ConfigureEvents, SimpleHistoryAdmin):
    list_display = ["name", "code", "parent", "hours_urgent", "hours_high", "hours_normal",
                    "sensitive", "active"]
    list_filter = ["active", "sensitive", "parent"]
    search_fields = ["name", "code"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # events keep their category: retire it (active) instead


@admin.register(Responder)
class ResponderAdmin(ConfigureEvents, admin.ModelAdmin):
    list_display = ["organization", "user"]
    raw_id_fields = ["organization", "user"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)
