from typing import Any

from django.contrib import admin

from wangge.access.admin import ReasonForm, ScopedAdmin
from wangge.access.permissions import Action
from wangge.access.selectors import require_in_scope

from .models import Division, Grid
from .selectors import divisions_in, grids_in
from .services import division_placed_in_hierarchy, grid_boundary_checked, grid_community


class DivisionForm(ReasonForm):
    class Meta:
        model = Division
        fields = ["code", "name"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.instance.pk and "code" in cleaned:
            self.instance.code = cleaned["code"]
            self.clean_with(lambda: require_in_scope(self.user, cleaned["code"], "code"))
            self.clean_with(lambda: division_placed_in_hierarchy(self.instance))
        return cleaned


class GridForm(ReasonForm):
    class Meta:
        model = Grid
        fields = ["code", "name", "boundary"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        grid = self.instance
        if not grid.pk and "code" in cleaned:
            self.clean_with(lambda: require_in_scope(self.user, cleaned["code"], "code"))
            self.clean_with(lambda: setattr(grid, "community", grid_community(cleaned["code"])))
        if "boundary" in cleaned:
            self.clean_with(
                lambda: cleaned.update(boundary=grid_boundary_checked(grid, cleaned["boundary"]))
            )
        return cleaned


@admin.register(Division)
class DivisionAdmin(ScopedAdmin):
    selector = staticmethod(lambda user: divisions_in(user.scope_prefixes))
    view_action = Action.VIEW_PLACES
    edit_action = Action.EDIT_DIVISIONS
    form = DivisionForm
    list_display = ["code", "name", "level"]
    list_filter = ["level"]
    search_fields = ["code", "name"]

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        return ["code", "level", "parent"] if obj else ["level", "parent"]


@admin.register(Grid)
class GridAdmin(ScopedAdmin):
    selector = staticmethod(lambda user: grids_in(user.scope_prefixes))
    view_action = Action.VIEW_PLACES
    edit_action = Action.EDIT_DIVISIONS
    form = GridForm

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        return ["code", "community"] if obj else ["community"]
    list_display = ["code", "name", "community"]
    search_fields = ["code", "name"]
