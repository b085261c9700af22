from typing import Any

from django.contrib import admin

from wangge.foundation.admin import ContactPhoneMasked, ScopedAdmin
from wangge.foundation.permissions import Action

from .models import Organization, ServedGrid
from .selectors import organizations_visible_to
from .services import organization_update


class ServedGridInline(admin.TabularInline):
    """Shown, not edited here: serving a grid is checked against scope by the service."""

    model = ServedGrid
    extra = 0
    readonly_fields = ["grid_code"]
    can_delete = False

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Organization)
class OrganizationAdmin(ContactPhoneMasked, ScopedAdmin):
    selector = staticmethod(organizations_visible_to)
    view_action = Action.VIEW_ORGANIZATIONS
    edit_action = Action.EDIT_ORGANIZATIONS
    fields = ["name", "kind", "credit_code", "grid_code", "contact_name", "contact_phone",
              "reason"]
    readonly_fields = ["grid_code"]
    list_display = ["name", "kind", "grid_code"]
    list_filter = ["kind"]
    search_fields = ["name"]
    inlines = [ServedGridInline]

    def has_add_permission(self, request: object) -> bool:
        return False  # created through pages and the API, which place them in a jurisdiction

    def update(self, by: Any, record: Any, changes: dict[str, Any], reason: str) -> Any:
        # The service refuses an organization seen only through a grid it serves, and
        # normalises and checks its codes and phone.
        return organization_update(organization=record, **changes, by=by, reason=reason)
