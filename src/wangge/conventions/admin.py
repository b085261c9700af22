"""The back office of conventions: read-only lists, scoped like the pages. Conventions are
drafted, amended, voted on and closed only on their pages and through the API, where the
services keep every rule; ballots are not listed here at all (a choice has no voter, and the
back office shows none of them)."""

from django.contrib import admin

from wangge.foundation.admin import ListedOnlyAdmin
from wangge.foundation.permissions import Action

from .models import Breach, Convention
from .selectors import breaches_visible_to, conventions_visible_to


@admin.register(Convention)
class ConventionAdmin(ListedOnlyAdmin):
    selector = staticmethod(conventions_visible_to)
    view_action = edit_action = Action.MANAGE_CONVENTIONS
    list_display = ["title", "kind", "code", "state", "created"]
    list_filter = ["kind", "state"]
    exclude = ["grid_codes", "building_ids"]


@admin.register(Breach)
class BreachAdmin(ListedOnlyAdmin):
    selector = staticmethod(breaches_visible_to)
    view_action = edit_action = Action.VIEW_CONVENTIONS
    list_display = ["convention", "grid_code", "state", "created"]
    list_filter = ["state"]
