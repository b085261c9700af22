"""The back office: every list scoped like the pages and API, every save through the apps'
services, permissions and masks from one module."""

from collections.abc import Callable
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from wangge.divisions.codes import is_within, scope_prefix

from .models import ApiToken, Jurisdiction, User
from .permissions import Action, SensitiveField, can, sees_unmasked, shown, uses_back_office
from .selectors import users_visible_to
from .services import jurisdiction_check, sign_in_unlock, two_factor_reset

# The columns that hold what a role may see masked, by model; the person's own are the
# ``SensitiveField``s. A lookup path through any of them is refused to such a role.
MASKED_COLUMNS: dict[str, dict[str, SensitiveField]] = {
    "people.Person": {field.value: field for field in SensitiveField},
    "organizations.Organization": {"contact_phone": SensitiveField.PHONE},
    "places.Enterprise": {"contact_phone": SensitiveField.PHONE},
    "open311.PublicReport": {"contact_phone": SensitiveField.PHONE},
}


def reveals_masked(user: Any, model: type[Model], path: str) -> bool:
    """Whether searching, filtering or sorting ``model`` by ``path`` (``head__id_number``,
    ``-phone``, ``=id_number``) would tell ``user`` something about a value they see masked:
    a match, or an order, gives away what the mask hides."""
    for part in path.lstrip("-=^@").split(LOOKUP_SEP):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False  # a lookup such as "exact" or "startswith": the field was checked
        sensitive = MASKED_COLUMNS.get(model._meta.label, {}).get(part)
        if sensitive is not None and not sees_unmasked(user, sensitive):
            return True
        if not field.is_relation or field.related_model is None:
            return False
        model = field.related_model
    return False


def _filter_name(entry: Any) -> str | None:
    if isinstance(entry, str):
        return entry
    if isinstance(entry, tuple | list) and entry and isinstance(entry[0], str):
        return entry[0]
    return None  # a SimpleListFilter class: it names its own parameter


class NotFoundAdmin(admin.ModelAdmin):
    """An admin whose missing record is 404: one outside the user's jurisdiction (not in the
    admin's queryset) and one that does not exist look the same, with no hint, as on the pages
    and the API (Django would redirect to the index with "doesn't exist. Perhaps it was
    deleted?")."""

    def _get_obj_does_not_exist_redirect(self, request: HttpRequest, opts: Any,
                                         object_id: str) -> Any:
        raise Http404


class MaskedLookups(NotFoundAdmin):
    """A field a role sees masked is never searchable, filterable or sortable by that role,
    here or through a related record (``permissions.sees_unmasked``)."""

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        return [field for field in super().get_search_fields(request)
                if not reveals_masked(request.user, self.model, field)]

    def get_list_filter(self, request: HttpRequest) -> list[Any]:
        return [entry for entry in super().get_list_filter(request)
                if (name := _filter_name(entry)) is None
                or not reveals_masked(request.user, self.model, name)]

    def get_sortable_by(self, request: HttpRequest) -> list[Any]:
        return [column for column in super().get_sortable_by(request)
                if not isinstance(column, str)
                or not reveals_masked(request.user, self.model, column)]

    def get_ordering(self, request: HttpRequest) -> list[Any]:
        return [column for column in super().get_ordering(request) or ()
                if not isinstance(column, str)
                or not reveals_masked(request.user, self.model, column)]

    def lookup_allowed(self, lookup: str, value: Any, request: Any = None) -> bool:
        # Django allows a filter on any of the model's own fields from the query string
        # (?id_number__startswith=4201...): a masked one would answer digit by digit.
        if request is None or reveals_masked(request.user, self.model, lookup):
            return False
        return super().lookup_allowed(lookup, value, request)


class SaveRefusedError(Exception):
    """A service refused an admin save. Raised inside the admin's transaction, so nothing the
    save began is kept; the form is shown again with ``error``."""

    def __init__(self, error: ValidationError) -> None:
        super().__init__(error)
        self.error = error


class ServiceForm(forms.ModelForm):
    """An admin form whose record is checked and saved by the app's services, not by the model
    form: ``user`` and ``refusal`` are set by ServiceAdmin.get_form."""

    user: User
    refusal: ValidationError | None = None

    def _post_clean(self) -> None:
        # The model's rules and the app's are the service's to check when the admin saves
        # (ServiceAdmin.save_model), so the record is left as read; a refusal comes back here.
        if self.refusal is not None:
            self.add_refusal(self.refusal)

    def add_refusal(self, error: ValidationError) -> None:
        """Show a service's ValidationError on the fields it names (others above the form)."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, problems in error.message_dict.items():
            self.add_error(field if field in self.fields else None, problems)


class ReasonForm(ServiceForm):
    """A service form that asks why; the reason goes to the service and into the history."""

    reason = forms.CharField(label=_("Reason for this change"), max_length=200)


class ServiceAdmin(MaskedLookups):
    """A ModelAdmin that saves through the app's services, never ``Model.save``: they check the
    role, the scope and every rule, and keep the reason the form asks for. A refused save is
    the form again with the service's errors (never a 500). Subclasses name the services:
    ``create(by, data, reason)`` and ``update(by, record, changes, reason)``."""

    form = ReasonForm

    def create(self, by: User, data: dict[str, Any], reason: str) -> Model:
        raise PermissionDenied  # no service adds this kind of record here

    def update(self, by: User, record: Any, changes: dict[str, Any], reason: str) -> Model:
        raise PermissionDenied  # no service changes this kind of record here

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False,
                 **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user
        form.refusal = getattr(request, "_service_refusal", None)
        return form

    def changeform_view(self, request: HttpRequest, object_id: str | None = None,
                        form_url: str = "", extra_context: Any = None) -> Any:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except SaveRefusedError as refused:
            # The admin's transaction rolled back: read the form again, now with the errors.
            request._service_refusal = refused.error
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = {name: value for name, value in form.cleaned_data.items() if name != "reason"}
        reason = form.cleaned_data.get("reason", "")
        try:
            if change:  # the form left ``obj`` as read (ServiceForm._post_clean)
                changes = {name: data[name] for name in form.changed_data if name in data}
                saved = self.update(request.user, obj, changes, reason)
            else:
                saved = self.create(request.user, data, reason)
        except ValidationError as error:
            raise SaveRefusedError(error) from error
        except PermissionDenied as error:
            refusal = ValidationError(str(error) or _("Your role may not do this."))
            raise SaveRefusedError(refusal) from error
        # The admin logs, names and redirects to the record it holds: make it the saved one.
        obj.pk = saved.pk
        obj.refresh_from_db()
        obj._state.adding = False

    def save_related(self, request: HttpRequest, form: Any, formsets: Any,
                     change: bool) -> None:
        # Inline rows would be saved by their model form: only read-only inlines are allowed.
        for formset in formsets:
            if formset.has_changed():
                raise SaveRefusedError(ValidationError(
                    _("These related rows are changed on their own page, not here.")))


class ScopedAdmin(ServiceAdmin, SimpleHistoryAdmin):
    """A ServiceAdmin whose queryset comes from the app's scoped selector and whose permissions
    come from ``access.permissions``."""

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
