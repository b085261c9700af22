"""The back office of lawful measures: the legal bases (global data, kept by those who grant
powers) and the powers to decide measures granted to organizations (scoped by the
organization's area). Both save through the services, with a reason kept in the history."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from wangge.foundation.admin import ReasonForm, ScopedAdmin, ServiceAdmin
from wangge.foundation.permissions import Action, can
from wangge.organizations.models import Organization

from .models import LegalBasis, MeasureKind, MeasurePower
from .selectors import measure_powers_visible_to
from .services import legal_basis_save, measure_power_grant


class KindsField(forms.MultipleChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("encoder", None), kwargs.pop("decoder", None)
        kwargs.pop("max_length", None)
        super().__init__(choices=MeasureKind.choices, widget=forms.CheckboxSelectMultiple,
                         **kwargs)


class LegalBasisForm(ReasonForm):
    kinds = KindsField(label=_("kinds of measure it supports"))

    class Meta:
        model = LegalBasis
        fields = ["law", "article", "summary", "kinds", "active"]


@admin.register(LegalBasis)
class LegalBasisAdmin(ServiceAdmin, SimpleHistoryAdmin):
    form = LegalBasisForm
    list_display = ["law", "article", "active"]
    list_filter = ["active"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can(request.user, Action.USE_ADMIN) and (
            can(request.user, Action.VIEW_MEASURES)
            or can(request.user, Action.GRANT_MEASURE_POWERS))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return (can(request.user, Action.USE_ADMIN)
                and can(request.user, Action.GRANT_MEASURE_POWERS))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_change_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a basis no longer in force is marked so: measures refer to it

    def create(self, by: Any, data: dict[str, Any], reason: str) -> LegalBasis:
        return legal_basis_save(basis=LegalBasis(**data), by=by, reason=reason)

    def update(self, by: Any, record: Any, changes: dict[str, Any], reason: str) -> LegalBasis:
        for name, value in changes.items():
            setattr(record, name, value)
        return legal_basis_save(basis=record, by=by, reason=reason)


class MeasurePowerForm(ReasonForm):
    kinds = KindsField(label=_("kinds of measure it may decide"), required=False)

    class Meta:
        model = MeasurePower
        fields = ["organization", "kinds"]


@admin.register(MeasurePower)
class MeasurePowerAdmin(ScopedAdmin):
    form = MeasurePowerForm
    selector = staticmethod(measure_powers_visible_to)
    view_action = Action.VIEW_MEASURES
    edit_action = Action.GRANT_MEASURE_POWERS
    list_display = ["organization", "kinds", "grid_code"]

    def formfield_for_foreignkey(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if db_field.name == "organization":
            kwargs["queryset"] = Organization.objects.in_scope(request.user.scope_prefixes)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # A power stays with its organization: a change changes its kinds.
        return ["organization"] if obj is not None else []

    def create(self, by: Any, data: dict[str, Any], reason: str) -> MeasurePower:
        return measure_power_grant(organization=data["organization"], kinds=data["kinds"],
                                   by=by, reason=reason)

    def update(self, by: Any, record: Any, changes: dict[str, Any], reason: str
               ) -> MeasurePower:
        return measure_power_grant(organization=record.organization,
                                   kinds=changes.get("kinds", record.kinds), by=by,
                                   reason=reason)
