"""The back office's shared base: every list scoped like the pages and API, every
save through the apps' services, no lookup through a field the role sees masked."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from wangge.foundation.permissions import (
    Action,
    SensitiveField,
    can,
    sees_unmasked,
    shown,
)

if TYPE_CHECKING:  # annotations only: the foundation imports no app
    from wangge.access.models import User

# The columns that hold what a role may see masked, by model; the person's own are the
# ``SensitiveField``s. A lookup path through any of them is refused to such a role.
MASKED_COLUMNS: dict[str, dict[str, SensitiveField]] = {
    "people.Person": {field.value: field for field in SensitiveField},
    "organizations.Organization": {"contact_phone": SensitiveField.PHONE},
    "places.Enterprise": {"contact_phone": SensitiveField.PHONE},
    "open311.PublicReport": {"contact_phone": SensitiveField.PHONE},
    **{f"resources.{model}": {"contact_phone": SensitiveField.PHONE} for model in (
        "Depot", "Shelter", "Utility", "Provider", "CallablePerson", "Vehicle")},
    "epidemic.Case": dict.fromkeys(("status", "onset_on", "confirmed_on", "ended_on"),
                                   SensitiveField.HEALTH_STATUS),
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

    user: "User"
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

    def create(self, by: "User", data: dict[str, Any], reason: str) -> Model:
        raise PermissionDenied  # no service adds this kind of record here

    def update(self, by: "User", record: Any, changes: dict[str, Any], reason: str) -> Model:
        raise PermissionDenied  # no service changes this kind of record here

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False,
                 **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
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
    come from ``foundation.permissions``."""

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



class ListedOnlyAdmin(ScopedAdmin):
    """Records written only through their own pages and API, step by step (an emergency, a
    drill, an allocation): the back office lists and shows them, scoped, and changes none."""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

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
