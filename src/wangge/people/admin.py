from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from wangge.foundation.admin import ScopedAdmin
from wangge.foundation.permissions import Action, SensitiveField, sees_unmasked, shown

from .models import Household, Person
from .selectors import households_visible_to, persons_visible_to
from .services import EDITABLE_FIELDS, household_update, person_update


def masked_column(user: Any, field: SensitiveField) -> Callable[[Person], object]:
    """An admin column (or read-only field) showing a sensitive field as ``user`` may see it."""

    def column(person: Person) -> object:
        return shown(user, field, getattr(person, field.value))

    column.short_description = Person._meta.get_field(field.value).verbose_name
    return column


def _masked(request: HttpRequest) -> dict[str, SensitiveField]:
    return {field.value: field for field in SensitiveField
            if not sees_unmasked(request.user, field)}


@admin.register(Person)
class PersonAdmin(ScopedAdmin):
    """People are created through pages, the API and imports (which place them in a dwelling);
    the back office corrects them, with a reason, and sees sensitive fields per role."""

    selector = staticmethod(persons_visible_to)
    view_action = Action.VIEW_PEOPLE
    edit_action = Action.EDIT_PEOPLE
    list_filter = ["residence_type", "sex"]
    search_fields = ["name", "=id_number", "=phone"]
    show_full_result_count = False

    def get_list_display(self, request: HttpRequest) -> list[Any]:
        return ["name", masked_column(request.user, SensitiveField.ID_NUMBER),
                masked_column(request.user, SensitiveField.PHONE), "residence_type",
                "grid_code"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        editable = [field for field in sorted(EDITABLE_FIELDS) if field not in _masked(request)]
        return [*editable, *self.get_readonly_fields(request, obj), "reason"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        masked = [masked_column(request.user, field) for field in _masked(request).values()]
        return ["grid_code", "dwelling", "household", "relationship", *masked]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("dwelling__building")

    def update(self, by: Any, record: Any, changes: dict[str, Any], reason: str) -> Any:
        return person_update(person=record, **changes, by=by, reason=reason)


@admin.register(Household)
class HouseholdAdmin(ScopedAdmin):
    selector = staticmethod(households_visible_to)
    view_action = Action.VIEW_PEOPLE
    edit_action = Action.EDIT_PEOPLE
    fields = ["number", "grid_code", "dwelling", "head", "reason"]
    readonly_fields = ["grid_code", "dwelling", "head"]
    list_display = ["__str__", "grid_code", "head"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def update(self, by: Any, record: Any, changes: dict[str, Any], reason: str) -> Any:
        return household_update(household=record, **changes, by=by, reason=reason)
