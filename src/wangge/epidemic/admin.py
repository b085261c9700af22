"""The back office of cases and venues: scoped like the pages, saved through the services.

Cases and venues are created on the pages and through the API (which start from a person, or
a facility or enterprise, in the jurisdiction); here they are read and corrected. A role that
sees health status masked sees a case's status and dates masked here too, read-only.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from wangge.foundation.admin import ScopedAdmin
from wangge.foundation.permissions import Action

from .models import Case, Venue
from .selectors import cases_visible_to, sees_health, venues_visible_to
from .services import case_update, venue_update

_CASE_FIELDS = ["status", "source", "source_detail", "onset_on", "reported_on",
                "confirmed_on", "ended_on"]
_MASKED_CASE = ["person_name", "source", "source_detail", "reported_on",
                "grid_code"]


@admin.register(Case)
class CaseAdmin(ScopedAdmin):
    selector = staticmethod(cases_visible_to)
    view_action = Action.VIEW_CASES
    edit_action = Action.RECORD_CASES
    search_fields = ["person__name"]

    @admin.display(description=_("person"))
    def person_name(self, case: Case) -> str:
        return case.person.name

    def get_list_display(self, request: HttpRequest) -> list[Any]:
        if not sees_health(request.user):
            return ["person_name", "reported_on", "grid_code"]
        return ["person_name", "status", "reported_on", "grid_code"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        if not sees_health(request.user):
            return _MASKED_CASE
        return ["person_name", "grid_code", *_CASE_FIELDS, "reason"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        if not sees_health(request.user):
            return _MASKED_CASE
        return ["person_name", "grid_code"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and sees_health(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # recorded from a person's page or the API

    def update(self, by: Any, record: Any, changes: dict[str, Any], reason: str) -> Any:
        return case_update(case=record, by=by, reason=reason, **changes)


@admin.register(Venue)
class VenueAdmin(ScopedAdmin):
    selector = staticmethod(venues_visible_to)
    view_action = Action.VIEW_CASES
    edit_action = Action.RECORD_CASES
    fields = ["name", "code", "grid_code", "active", "reason"]
    readonly_fields = ["code", "grid_code"]
    list_display = ["name", "code", "grid_code", "active"]
    list_filter = ["active"]
    search_fields = ["name", "code"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # issued for a facility or enterprise on the API

    def update(self, by: Any, record: Any, changes: dict[str, Any], reason: str) -> Any:
        return venue_update(venue=record, by=by, reason=reason, **changes)
