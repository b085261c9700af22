"""The back office: every list scoped like the pages and API, permissions from one module."""

from collections.abc import Callable
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from wangge.audit import save_with_history
from wangge.divisions.codes import is_within, scope_prefix

from .models import ApiToken, Jurisdiction, User
from .permissions import Action, SensitiveField, can, sees_unmasked, uses_back_office
from .selectors import users_visible_to
from .services import jurisdiction_check, sign_in_unlock, two_factor_reset


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


class JurisdictionForm(forms.ModelForm):
    """A code the account answers for; within the security administrator's own jurisdiction
    (``prefixes`` is set by the inline)."""

    prefixes: list[str] = [""]

    class Meta:
        model = Jurisdiction
        fields = ["code"]

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        try:
            jurisdiction_check(code)
        except ValidationError as error:
            raise ValidationError(error.messages) from error
        if not is_within(code, self.prefixes):
            raise ValidationError(_("%(code)s is outside your jurisdiction.") % {"code": code})
        self.instance.prefix = scope_prefix(code)
        return code


class JurisdictionInline(admin.TabularInline):
    model = Jurisdiction
    form = JurisdictionForm
    fields = ["code", "prefix"]
    readonly_fields = ["prefix"]
    extra = 0

    def get_min_num(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> int:
        # An account answers for at least one code (and stays in its manager's list).
        return 0 if obj is not None and obj.is_superuser else 1

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, validate_min=True, **kwargs)
        formset.form = type("ScopedJurisdictionForm", (JurisdictionForm,),
                            {"prefixes": request.user.scope_prefixes})
        return formset

    def _manages(self, request: HttpRequest) -> bool:
        return can(request.user, Action.MANAGE_ACCOUNTS)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._manages(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._manages(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._manages(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._manages(request)


@admin.register(User)
class WanggeUserAdmin(UserAdmin):
    """Accounts, for the security administrator (``Action.MANAGE_ACCOUNTS``) within its
    jurisdiction: roles, jurisdictions, passwords, the second factor and lockouts. It cannot
    make a superuser nor change its own account (that would hand itself any role)."""

    list_display = ["username", "first_name", "role", "is_active", "two_factor", "last_login"]
    list_filter = ["role", "is_active"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "email"]}),
        (_("Access"), {"fields": ["role", "is_active"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"fields": ["username", "role", "password1", "password2"]})]
    readonly_fields = ["last_login", "date_joined"]
    inlines = [JurisdictionInline]
    actions = ["reset_two_factor", "unlock_sign_in"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return users_visible_to(request.user).prefetch_related("totpdevice_set")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can(request.user, Action.MANAGE_ACCOUNTS)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request) and obj != request.user

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # an account's traces stay: deactivate it instead

    def _get_obj_does_not_exist_redirect(self, request: HttpRequest, opts: Any,
                                         object_id: str) -> Any:
        raise Http404

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.is_staff = uses_back_office(obj)
        super().save_model(request, obj, form, change)

    @admin.display(boolean=True, description=_("two-factor"))
    def two_factor(self, user: User) -> bool:
        return any(device.confirmed for device in user.totpdevice_set.all())

    @admin.action(description=_("Reset two-factor sign-in (they enrol again)"))
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet) -> None:
        for user in queryset:
            two_factor_reset(user=user, by=request.user)
            self.log_change(request, user, "Reset two-factor sign-in.")
        self.message_user(request, _("Two-factor sign-in reset."), messages.SUCCESS)

    @admin.action(description=_("Unlock sign-in"))
    def unlock_sign_in(self, request: HttpRequest, queryset: QuerySet) -> None:
        for user in queryset:
            sign_in_unlock(user=user, by=request.user)
            self.log_change(request, user, "Unlocked sign-in.")
        self.message_user(request, _("Sign-in unlocked."), messages.SUCCESS)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "created", "last_used"]
    readonly_fields = ["digest", "created", "last_used"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).filter(user__in=users_visible_to(request.user))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can(request.user, Action.MANAGE_ACCOUNTS)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)  # revoking a token

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are shown once: create them with `wangge token create`


class ReadOnlyLog(admin.ModelAdmin):
    """A log, read by the audit administrator (``Action.READ_LOGS``); nobody, a superuser
    included, adds, changes or deletes an entry here."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can(request.user, Action.READ_LOGS)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AccessLog)
class SignInLogAdmin(ReadOnlyLog):
    list_display = ["attempt_time", "username", "ip_address", "user_agent", "logout_time"]
    list_filter = ["attempt_time"]
    search_fields = ["username", "ip_address"]
    date_hierarchy = "attempt_time"


@admin.register(AccessFailureLog)
class SignInFailureLogAdmin(ReadOnlyLog):
    list_display = ["attempt_time", "username", "ip_address", "user_agent", "locked_out"]
    list_filter = ["locked_out"]
    search_fields = ["username", "ip_address"]
    date_hierarchy = "attempt_time"


@admin.register(LogEntry)
class BackOfficeLogAdmin(ReadOnlyLog):
    list_display = ["action_time", "user", "content_type", "object_repr", "action_flag",
                    "change_message"]
    list_filter = ["action_flag", "content_type"]
    search_fields = ["object_repr", "user__username"]
    date_hierarchy = "action_time"


@admin.register(AccessAttempt)
class LockoutAdmin(ReadOnlyLog):
    """Running failure counts: a lockout is lifted by deleting its row (the security
    administrator); the failure log above keeps every attempt."""

    list_display = ["attempt_time", "username", "ip_address", "failures_since_start"]
    search_fields = ["username", "ip_address"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can(request.user, Action.MANAGE_ACCOUNTS) or can(request.user, Action.READ_LOGS)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, Action.MANAGE_ACCOUNTS)


# No one reads a TOTP secret in the back office: the security administrator resets devices
# from the accounts list.
admin.site.unregister(TOTPDevice)
