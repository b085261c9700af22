"""The back office: every list scoped like the pages and API, every save through the apps'
services, permissions and masks from one module."""

from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from wangge.access.models import ApiToken, Jurisdiction, User
from wangge.access.selectors import users_visible_to
from wangge.access.services import jurisdiction_check, sign_in_unlock, two_factor_reset
from wangge.foundation.admin import NotFoundAdmin
from wangge.foundation.codes import is_within, scope_prefix
from wangge.foundation.permissions import (
    Action,
    can,
    uses_back_office,
)


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
class WanggeUserAdmin(NotFoundAdmin, UserAdmin):
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
class ApiTokenAdmin(NotFoundAdmin):
    list_display = ["name", "user", "created", "last_used"]
    # A token stays its user's: handed to another account (a superuser's) it would sign in
    # as them with a secret someone else holds. It is renamed or revoked, nothing more.
    readonly_fields = ["user", "digest", "created", "last_used"]

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


class ReadOnlyLog(NotFoundAdmin):
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
