"""The back office: every list scoped like the pages and API, every save through the apps'
services, permissions and masks from one module."""

import copy
import functools
import re
from collections.abc import Callable
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.auth import password_validation
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import ReadOnlyPasswordHashField
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters
from django_otp.plugins.otp_totp.models import TOTPDevice

from wangge.foundation.admin import NotFoundAdmin, ReasonForm, SaveRefusedError, ServiceAdmin
from wangge.foundation.permissions import Action, can

from .models import ApiToken, User
from .selectors import users_visible_to
from .services import (
    sign_in_unlock,
    token_rename,
    token_revoke,
    two_factor_reset,
    user_create,
    user_password_set,
    user_update,
)


class CodesField(forms.CharField):
    """Division or grid codes, separated by spaces, commas or new lines; a list once clean.
    The service checks each (it exists, it is within the actor's jurisdiction)."""

    widget = forms.Textarea(attrs={"rows": 2})
    MOST = 100  # more would be a paste gone wrong, and each code costs a query

    def prepare_value(self, value: Any) -> Any:
        return " ".join(value) if isinstance(value, list | tuple) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        codes = re.split(r"[\s,，、;；]+", str(value or "").strip())
        codes = list(dict.fromkeys(code for code in codes if code))
        if len(codes) > self.MOST:
            raise ValidationError(_("At most %(count)d codes.") % {"count": self.MOST})
        return codes

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return set(initial or ()) != set(self.to_python(data))
        except ValidationError:
            return True


class AccountForm(ReasonForm):
    """An account as the security administrator changes it; saved by ``user_update``
    (role, jurisdictions, active flag, names, email: each checked there)."""

    password = ReadOnlyPasswordHashField(label=_("Password"))
    jurisdictions = CodesField(
        label=_("Jurisdictions"), required=False,
        help_text=_("Division or grid codes this account answers for, separated by spaces."))

    class Meta:
        model = User
        fields = ["password", "first_name", "last_name", "email", "role", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["jurisdictions"] = list(
                self.instance.jurisdictions.order_by("code").values_list("code", flat=True))


class AccountCreationForm(AccountForm):
    """A new account; saved by ``user_create``, which checks the password policy."""

    password = forms.CharField(  # type: ignore[assignment]
        label=_("Password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html())
    password_again = forms.CharField(
        label=_("Password (again)"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    class Meta(AccountForm.Meta):
        fields = ["username", "first_name", "role"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        if data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return data


class AccountPasswordForm(forms.Form):
    """Another account's new password, set by ``user_password_set`` as ``by`` (the policy and
    the password history are checked there). Built by Django's password view as
    ``form(user, data)``; WanggeUserAdmin binds ``by`` and a previous ``refusal``."""

    password1 = forms.CharField(
        label=_("Password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "autofocus": True}),
        help_text=password_validation.password_validators_help_text_html())
    password2 = forms.CharField(
        label=_("Password (again)"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, user: User, data: Any = None, *, by: Any,
                 refusal: ValidationError | None = None) -> None:
        super().__init__(data)
        self.user, self.by, self.refusal = user, by, refusal

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        if data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        if self.refusal is not None:
            problems = getattr(self.refusal, "message_dict", {None: self.refusal.messages})
            for field, messages_ in problems.items():
                self.add_error("password1" if field == "password" else None, messages_)
        data["set_usable_password"] = True  # Django's view asks: an account here keeps one
        return data

    def save(self) -> User:
        try:
            return user_password_set(user=self.user, by=self.by,
                                     password=self.cleaned_data["password1"])
        except ValidationError as error:
            raise SaveRefusedError(error) from error
        except PermissionDenied as error:
            raise SaveRefusedError(ValidationError(str(error))) from error


@admin.register(User)
class WanggeUserAdmin(ServiceAdmin, UserAdmin):
    """Accounts, for the security administrator (``Action.MANAGE_ACCOUNTS``) within its
    jurisdiction: roles, jurisdictions, passwords, the second factor and lockouts, each saved
    by the accounts services (``user_create``, ``user_update``, ``user_password_set``), which
    check scope, the password policy and the separation of the three administrators, and keep
    the history. It cannot make a superuser nor change its own account."""

    form = AccountForm
    add_form = AccountCreationForm
    list_display = ["username", "first_name", "role", "is_active", "two_factor", "last_login"]
    list_filter = ["role", "is_active"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "email"]}),
        (_("Access"), {"fields": ["role", "jurisdictions", "is_active"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
        (None, {"fields": ["reason"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "password", "password_again"]}),
        (_("Access"), {"fields": ["first_name", "role", "jurisdictions"]}),
        (None, {"fields": ["reason"]}),
    ]
    actions = ["reset_two_factor", "unlock_sign_in"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # A username is chosen once: the logs name accounts by it.
        return [] if obj is None else ["username", "last_login", "date_joined"]

    def create(self, by: User, data: dict[str, Any], reason: str) -> User:
        user, _password = user_create(
            by=by, username=data["username"], role=data["role"],
            jurisdictions=data["jurisdictions"], password=data["password"],
            display_name=data.get("first_name", ""), reason=reason)
        return user

    def update(self, by: User, record: Any, changes: dict[str, Any], reason: str) -> User:
        return user_update(user=record, by=by, reason=reason, **changes)

    @method_decorator(sensitive_post_parameters())
    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        try:
            return self._password_view(request, id, form_url, refusal=None)
        except SaveRefusedError as refused:  # nothing was saved: the form again, with why
            return self._password_view(request, id, form_url, refusal=refused.error)

    def _password_view(self, request: HttpRequest, id: str, form_url: str,
                       refusal: ValidationError | None) -> Any:
        # Django's view builds its form as ``change_password_form(user, data)``, with no
        # request: a copy of this admin, for this request only, binds the actor to it.
        view = copy.copy(self)
        view.change_password_form = functools.partial(
            AccountPasswordForm, by=request.user, refusal=refusal)
        return UserAdmin.user_change_password(view, request, id, form_url)

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

    @admin.display(boolean=True, description=_("two-factor"))
    def two_factor(self, user: User) -> bool:
        return any(device.confirmed for device in user.totpdevice_set.all())

    def _each(self, request: HttpRequest, queryset: QuerySet,
              service: Callable[..., object], done: str) -> None:
        """Run an accounts service on each selected account; a refusal is reported, the
        others go on."""
        for user in queryset:
            try:
                service(user=user, by=request.user)
            except (ValidationError, PermissionDenied) as error:
                problems = error.messages if isinstance(error, ValidationError) else [str(error)]
                self.message_user(request, f"{user}: {' '.join(problems)}", messages.ERROR)
            else:
                self.log_change(request, user, done)

    @admin.action(description=_("Reset two-factor sign-in (they enrol again)"))
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(request, queryset, two_factor_reset, "Reset two-factor sign-in.")
        self.message_user(request, _("Two-factor sign-in reset."), messages.SUCCESS)

    @admin.action(description=_("Unlock sign-in"))
    def unlock_sign_in(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(request, queryset, sign_in_unlock, "Unlocked sign-in.")
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

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        token_rename(token=obj, by=request.user, name=obj.name)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        token_revoke(token=obj, by=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for token in queryset.select_related("user"):
            token_revoke(token=token, by=request.user)


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
