"""Visit rules in the back office: data that the roles who define populations keep, saved
through the service with a reason (kept in the history); medical requests listed, read
only. Visits are recorded on the phone pages and the API only."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from wangge.foundation.admin import ListedOnlyAdmin, ReasonForm, ServiceAdmin
from wangge.foundation.permissions import Action, SensitiveField, can, sees_unmasked

from .models import CareRule, MedicalRequest
from .selectors import medical_requests_visible_to
from .services import care_rule_save


class CareRuleForm(ReasonForm):
    class Meta:
        model = CareRule
        fields = ["population", "field_key", "field_value", "interval_days", "category",
                  "active"]


@admin.register(CareRule)
class CareRuleAdmin(ServiceAdmin, SimpleHistoryAdmin):
    """One set of rules for the whole platform, like the populations they are about."""

    form = CareRuleForm
    list_display = ["population", "field_key", "field_value", "interval_days", "category",
                    "active"]
    list_filter = ["active", "population"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can(request.user, Action.USE_ADMIN) and can(request.user,
                                                           Action.DEFINE_POPULATIONS)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # visits keep their rule: a rule is retired (active) instead

    def create(self, by: Any, data: dict[str, Any], reason: str) -> CareRule:
        return care_rule_save(rule=CareRule(**data), by=by, reason=reason)

    def update(self, by: Any, record: Any, changes: dict[str, Any], reason: str) -> CareRule:
        for name, value in changes.items():
            setattr(record, name, value)
        return care_rule_save(rule=record, by=by, reason=reason)


@admin.register(MedicalRequest)
class MedicalRequestAdmin(ListedOnlyAdmin):
    """Requests are filed and answered on their pages and the API, step by step: the back
    office lists them, scoped like the pages, and changes none."""

    selector = staticmethod(medical_requests_visible_to)
    view_action = Action.VIEW_PEOPLE
    edit_action = Action.EDIT_PEOPLE
    list_display = ["person", "centre", "urgency", "under_measure", "requested_at",
                    "appointment_at", "delivered_at", "follow_up_on"]
    list_filter = ["urgency", "under_measure"]
    fields = ("person", "centre", "urgency", "under_measure", "requested_at",
              "appointment_at", "delivered_at", "follow_up_on")
    readonly_fields = fields

    def has_module_permission(self, request: HttpRequest) -> bool:
        # Symptoms are health data: only for roles that see health unmasked (the centre's
        # own staff read their requests on the pages).
        return super().has_module_permission(request) and sees_unmasked(
            request.user, SensitiveField.HEALTH_STATUS)
