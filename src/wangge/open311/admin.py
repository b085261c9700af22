"""The back office: public reports with the contact their senders left (scoped like the
events), and the Open311 keys (retired, never deleted; a key is made with `wangge
open311-key create`, which shows it once).

Every role that uses the back office and sees events also sees phones unmasked
(``permissions.UNMASKED_FIELDS``; tests/open311/test_keys_and_poster.py holds it), so the
sender's phone is shown as left."""

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from wangge.events.selectors import events_visible_to
from wangge.foundation.admin import MaskedLookups, ServiceAdmin, ServiceForm
from wangge.foundation.permissions import Action, can

from .models import Open311Key, PublicReport
from .services import open311_key_set_active


@admin.register(PublicReport)
class PublicReportAdmin(MaskedLookups):
    list_display = ["event", "source", "client", "contact_name", "contact_phone"]
    list_filter = ["source"]
    fields = ["event", "source", "client", "contact_name", "contact_phone", "contact_email",
              "device_id", "account_id", "media_url"]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[PublicReport]:
        return PublicReport.objects.filter(
            event__in=events_visible_to(request.user).values("pk")).select_related(
            "event__category", "client")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can(request.user, Action.USE_ADMIN) and can(request.user, Action.VIEW_EVENTS)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # what the sender left, as they left it

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Open311Key)
class Open311KeyAdmin(ServiceAdmin):
    """The keys bound within the user's jurisdiction; retired (active) through the service."""

    form = ServiceForm
    list_display = ["name", "jurisdiction_code", "active", "created_at", "last_used_at"]
    fields = ["name", "jurisdiction_code", "active", "created_at", "last_used_at"]
    readonly_fields = ["name", "jurisdiction_code", "created_at", "last_used_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Open311Key]:
        within = Q(pk__in=[])
        for prefix in request.user.scope_prefixes:
            within |= Q(jurisdiction_code__startswith=prefix)
        return Open311Key.objects.filter(within)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can(request.user, Action.USE_ADMIN) and can(request.user,
                                                           Action.CONFIGURE_EVENTS)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)  # to retire a key (active)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # `wangge open311-key create` shows the new key once

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # its reports keep pointing at it

    def update(self, by: Any, record: Any, changes: dict[str, Any], reason: str) -> Any:
        return open311_key_set_active(key=record, active=changes.get("active", record.active),
                                      by=by)
