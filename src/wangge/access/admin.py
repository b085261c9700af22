"""The back office: every list scoped like the pages and API, permissions from one module."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from wangge.audit import save_with_history
from wangge.divisions.codes import scope_prefix

from .models import ApiToken, Jurisdiction, User
from .permissions import Action, SensitiveField, can, sees_unmasked, shown


class ReasonForm(forms.ModelForm):
    """An admin form that asks why; ``user`` is set by ScopedAdmin.get_form."""

    reason = forms.CharField(label=_("Reason for this change"), max_length=200)
    user: User

    def clean_with(self, check: Callable[[], None]) -> None:
        """Run a service-level check, turning its ValidationError into form errors."""
        try:
            check()
        except ValidationError as error:
            fields = set(self.fields)
            if hasattr(error, "error_dict"):
                for field, messages in error.message_dict.items():
                    self.add_error(field if field in fields else None, messages)
            else:
                self.add_error(None, error)


class ScopedAdmin(SimpleHistoryAdmin):
    """A ModelAdmin whose queryset comes from the app's scoped selector and whose permissions
    come from ``access.permissions``; saves record the user and the form's ``reason``."""

    selector: Callable[[Any], QuerySet]
    view_action: Action
    edit_action: Action

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return type(self).selector(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can(request.user, Action.USE_ADMIN) and can(request.user, self.view_action)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, Action.USE_ADMIN) and can(request.user, self.edit_action)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_change_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # records are corrected or moved, never silently deleted

    def has_view_history_or_change_history_permission(self, request: HttpRequest,
                                                      obj: Any = None) -> bool:
        # Raw history shows sensitive values: only for roles that see them all unmasked.
        return can(request.user, Action.VIEW_HISTORY) and all(
            sees_unmasked(request.user, field) for field in SensitiveField
        )

    def history_view(self, request: HttpRequest, object_id: str,
                     extra_context: Any = None) -> Any:
        # simple-history falls back to the history table for a missing object: scope it first.
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404
        return super().history_view(request, object_id, extra_context)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        save_with_history(obj, by=request.user, reason=form.cleaned_data.get("reason", ""))

    def _get_obj_does_not_exist_redirect(self, request: HttpRequest, opts: Any,
                                         object_id: str) -> Any:
        # Outside the jurisdiction and nonexistent look the same: 404, no hint.
        raise Http404

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False,
                 **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user
        return form


class ContactPhoneMasked:
    """For an admin of a model with a ``contact_phone`` (organizations, enterprises): a role
    that sees phones masked gets it masked and read-only, like a person's phone."""

    def _masked_phone(self, request: HttpRequest) -> Callable[[Any], object] | None:
        if sees_unmasked(request.user, SensitiveField.PHONE):
            return None
        # One column per request: the form tells read-only fields apart by identity.
        if not hasattr(request, "_masked_contact_phone"):
            user = request.user

            def contact_phone(obj: Any) -> object:
                return shown(user, SensitiveField.PHONE, obj.contact_phone)

            contact_phone.short_description = _("contact phone")
            request._masked_contact_phone = contact_phone
        return request._masked_contact_phone

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        fields = list(super().get_fields(request, obj))  # type: ignore[misc]
        masked = self._masked_phone(request)
        return fields if masked is None else [
            masked if field == "contact_phone" else field for field in fields]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        readonly = list(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        masked = self._masked_phone(request)
        return readonly if masked is None else [*readonly, masked]


class JurisdictionForm(forms.ModelForm):
    class Meta:
        model = Jurisdiction
        fields = ["code"]

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        self.instance.prefix = scope_prefix(code)
        return code


class JurisdictionInline(admin.TabularInline):
    model = Jurisdiction
    form = JurisdictionForm
    fields = ["code", "prefix"]
    readonly_fields = ["prefix"]
    extra = 0


@admin.register(User)
class WanggeUserAdmin(UserAdmin):
    """Accounts are managed by superusers only: roles and jurisdictions grant data access."""

    list_display = ["username", "first_name", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    fieldsets = [*UserAdmin.fieldsets, (None, {"fields": ["role"]})]
    inlines = [JurisdictionInline]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "created", "last_used"]
    readonly_fields = ["digest", "created", "last_used"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are shown once: create them with `wangge token create`
