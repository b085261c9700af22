"""Report templates in the back office: edited by staff, checked by the same rules as the
shipped ones, every change kept in the history with its reason."""

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext
from simple_history.admin import SimpleHistoryAdmin

from wangge.access.admin import ReasonForm
from wangge.access.permissions import Action, can

from .fields import POPULATION_FILTERS, REPORT_FIELDS
from .models import ReportTemplate
from .selectors import not_held
from .services import report_template_save, report_template_validate


class ReportTemplateForm(ReasonForm):
    class Meta:
        model = ReportTemplate
        fields = ["slug", "name", "department", "description", "population", "columns"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        helps = {
            "columns": gettext(
                'A list like [{"header": "姓名", "field": "name"}, {"header": "出生日期", '
                '"field": "birth_date", "format": "date"}]. Fields the registry holds: '
                "%(fields)s. Formats: text, date, number. A column naming any other field is "
                "kept, exported empty and listed as not held.")
            % {"fields": ", ".join(REPORT_FIELDS)},
            "population": gettext(
                'Filters that must all hold, e.g. {"age_at_least": 60, "vulnerable_any": '
                '["elderly_alone"]}. Filters: %(filters)s.')
            % {"filters": ", ".join(POPULATION_FILTERS)},
        }
        for name, text in helps.items():
            if name in self.fields:  # a role that only reads gets no form fields
                self.fields[name].help_text = text

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for name in ("population", "columns"):
            if name in cleaned:
                setattr(self.instance, name, cleaned[name])
        if "population" in cleaned and "columns" in cleaned:
            self.clean_with(lambda: report_template_validate(self.instance))
        return cleaned


@admin.register(ReportTemplate)
class ReportTemplateAdmin(SimpleHistoryAdmin):
    form = ReportTemplateForm
    list_display = ["name", "department", "slug"]
    list_filter = ["department"]
    search_fields = ["name", "department", "slug"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can(request.user, Action.USE_ADMIN) and can(request.user, Action.USE_REPORTS)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return (can(request.user, Action.USE_ADMIN)
                and can(request.user, Action.EDIT_REPORT_TEMPLATES))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_change_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_change_permission(request)

    def save_model(self, request: HttpRequest, obj: ReportTemplate, form: Any,
                   change: bool) -> None:
        report_template_save(template=obj, by=request.user, reason=form.cleaned_data["reason"])
        if missing := not_held(obj):
            # Allowed (a department's real form is entered as it is), but worth a second look:
            # a typo in a field name reads the same way.
            messages.warning(request, gettext(
                "The registry does not hold these columns; they export empty and the gap report "
                "lists them: %(headers)s.") % {"headers": ", ".join(missing)})
