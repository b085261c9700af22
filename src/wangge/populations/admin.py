"""Populations in the back office: a department's own population and its fields, added
without code, checked by the same service as everything else, every change kept with its
reason. Circumstances themselves are recorded on the person's page, the API and imports."""

from typing import Any, cast

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from wangge.access.models import User
from wangge.foundation.admin import ReasonForm, SaveRefusedError, ServiceAdmin
from wangge.foundation.permissions import Action, can

from .models import Population, PopulationField
from .services import population_save


class PopulationForm(ReasonForm):
    class Meta:
        model = Population
        fields = ["key", "name", "department", "description", "tag", "tag_field", "tag_value"]


class FieldInline(admin.TabularInline):
    model = PopulationField
    fields = ["position", "key", "label", "kind", "choices", "required", "check_rule",
              "synonyms"]
    extra = 1

    def get_extra(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> int:
        return 0 if obj is not None and obj.built_in else 1

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, Action.DEFINE_POPULATIONS) and not (obj and obj.built_in)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_change_permission(request, obj)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, Action.USE_ADMIN)


@admin.register(Population)
class PopulationAdmin(ServiceAdmin, SimpleHistoryAdmin):
    form = PopulationForm
    inlines = [FieldInline]
    list_display = ["name", "department", "key", "built_in"]
    search_fields = ["name", "department", "key"]

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
        return False  # a population ends, its records stay

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["key"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Population, form: Any,
                   change: bool) -> None:
        """Saved with its fields in save_related, in one service call."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any,
                     change: bool) -> None:
        fields: list[PopulationField] = []
        removed: list[PopulationField] = []
        for formset in formsets:
            for row in formset.forms:
                if not row.has_changed() or not row.cleaned_data:
                    continue
                if row.cleaned_data.get("DELETE"):
                    removed.append(row.instance)
                else:
                    fields.append(row.instance)
        try:
            population_save(population=form.instance, fields=fields, removed=removed,
                            by=cast(User, request.user),
                            reason=form.cleaned_data.get("reason", ""))
        except ValidationError as error:
            raise SaveRefusedError(error) from error
        except PermissionDenied as error:
            raise SaveRefusedError(ValidationError(str(error))) from error
