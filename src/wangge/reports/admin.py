"""Report templates in the back office: edited by staff, checked by the same rules as the
shipped ones, every change kept in the history with its reason."""

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext
from simple_history.admin import SimpleHistoryAdmin

from wangge.foundation.admin import ReasonForm, ServiceAdmin
from wangge.foundation.permissions import Action, can

from .fields import POPULATION_FILTERS, REPORT_FIELDS
from .models import ReportTemplate
from .selectors import not_held
from .services import report_template_save


class ReportTemplateForm(ReasonForm):
    class Meta:
        model = ReportTemplate
        fields = ["slug", "name", "department", "description", "source", "population",
                  "columns"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        helps = {
            "columns": gettext(
                'A list like [{"header": "姓名", "field": "name"}, {"header": "出生日期", '
                '"field": "birth_date", "format": "date"}]. Fields the registry holds: '
                "%(fields)s, and each population's fields as <population>.<field> (e.g. "
                "older_people.capability; a person's phone as older_people.emergency_contact."
                "phone). Formats: text, date, number. A column naming any other field is "
                "kept, exported empty and listed as not held.")
            % {"fields": ", ".join(REPORT_FIELDS)},
            "population": gettext(
                'Filters that must all hold, e.g. {"age_at_least": 60, "values": '
                '{"older_people.living_situation": "alone"}} or {"populations": '
                '["disability"]}. Filters: %(filters)s.')
            % {"filters": ", ".join(POPULATION_FILTERS)},
        }
        for name, text in helps.items():
            if name in self.fields:  # a role that only reads gets no form fields
                self.fields[name].help_text = text


@admin.register(ReportTemplate)
class ReportTemplateAdmin(ServiceAdmin, SimpleHistoryAdmin):
    form = ReportTemplateForm
    list_display = ["name", "department", "slug"]
    list_filter = ["department"]
    search_fields = ["name", "department", "slug"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        # Seen by those who export reports and by those who edit the templates (the system
        # administrator, who exports nothing).
        return can(request.user, Action.USE_ADMIN) and (
            can(request.user, Action.USE_REPORTS)
            or can(request.user, Action.EDIT_REPORT_TEMPLATES))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return (can(request.user, Action.USE_ADMIN)
                and can(request.user, Action.EDIT_REPORT_TEMPLATES))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_change_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a delete would skip the service and its history

    def create(self, by: Any, data: dict[str, Any], reason: str) -> ReportTemplate:
        return report_template_save(template=ReportTemplate(**data), by=by, reason=reason)

    def update(self, by: Any, record: Any, changes: dict[str, Any], reason: str
               ) -> ReportTemplate:
        for name, value in changes.items():
            setattr(record, name, value)
        return report_template_save(template=record, by=by, reason=reason)

    def save_model(self, request: HttpRequest, obj: ReportTemplate, form: Any,
                   change: bool) -> None:
        super().save_model(request, obj, form, change)
        if missing := not_held(obj):
            # Allowed (a department's real form is entered as it is), but worth a second look:
            # a typo in a field name reads the same way.
            messages.warning(request, gettext(
                "The registry does not hold these columns; they export empty and the gap report "
                "lists them: %(headers)s.") % {"headers": ", ".join(missing)})
