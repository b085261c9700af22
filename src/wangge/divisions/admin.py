from typing import Any

from django.contrib import admin

from wangge.foundation.admin import ScopedAdmin
from wangge.foundation.permissions import Action

from .models import Division, Grid
from .selectors import divisions_in, grids_in
from .services import division_create, division_update, grid_create, grid_update


@admin.register(Division)
class DivisionAdmin(ScopedAdmin):
    selector = staticmethod(lambda user: divisions_in(user.scope_prefixes))
    view_action = Action.VIEW_PLACES
    edit_action = Action.EDIT_DIVISIONS
    list_display = ["code", "name", "level"]
    list_filter = ["level"]
    search_fields = ["code", "name"]

    def get_fields(self, request: Any, obj: Any = None) -> list[str]:
        return ["code", "name", "level", "parent", "reason"]

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        return ["code", "level", "parent"] if obj else ["level", "parent"]

    def create(self, by: Any, data: dict[str, Any], reason: str) -> Any:
        return division_create(code=data["code"], name=data["name"], by=by, reason=reason)

    def update(self, by: Any, record: Any, changes: dict[str, Any], reason: str) -> Any:
        return division_update(division=record, name=changes.get("name"), by=by,
                               reason=reason)


@admin.register(Grid)
class GridAdmin(ScopedAdmin):
    selector = staticmethod(lambda user: grids_in(user.scope_prefixes))
    view_action = Action.VIEW_PLACES
    edit_action = Action.EDIT_DIVISIONS
    list_display = ["code", "name", "community"]
    search_fields = ["code", "name"]

    def get_fields(self, request: Any, obj: Any = None) -> list[str]:
        return ["code", "name", "boundary", "community", "reason"]

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        return ["code", "community"] if obj else ["community"]

    def create(self, by: Any, data: dict[str, Any], reason: str) -> Any:
        return grid_create(code=data["code"], name=data["name"], boundary=data["boundary"],
                           by=by, reason=reason)

    def update(self, by: Any, record: Any, changes: dict[str, Any], reason: str) -> Any:
        return grid_update(grid=record, name=changes.get("name"),
                           boundary=changes.get("boundary"), by=by, reason=reason)
