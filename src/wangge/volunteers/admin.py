"""The back office of volunteers: report-ins, tasks and the points ledger, listed read-only
and scoped like the pages. They are written only through their pages and the API (the
services' checks), and the ledger never changes: a correction is a new line."""

from django.contrib import admin

from wangge.foundation.admin import ListedOnlyAdmin
from wangge.foundation.permissions import Action

from .models import LedgerEntry, Registration, Task
from .selectors import ledger_visible_to, registrations_visible_to, tasks_visible_to


@admin.register(Registration)
class RegistrationAdmin(ListedOnlyAdmin):
    selector = staticmethod(registrations_visible_to)
    view_action = edit_action = Action.MANAGE_VOLUNTEERS
    list_display = ["person", "code", "as_volunteer", "as_party_member", "party_organization",
                    "state", "created"]
    list_filter = ["state", "as_party_member"]


@admin.register(Task)
class TaskAdmin(ListedOnlyAdmin):
    selector = staticmethod(tasks_visible_to)
    view_action = edit_action = Action.MANAGE_VOLUNTEERS
    list_display = ["title", "code", "kind", "urgent", "starts_at", "needed", "cancelled_at"]
    list_filter = ["kind", "urgent"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ListedOnlyAdmin):
    selector = staticmethod(ledger_visible_to)
    view_action = edit_action = Action.MANAGE_VOLUNTEERS
    list_display = ["person", "code", "points", "reason", "task", "by", "created"]
