"""The back office of emergency readiness: plans and teams (added through their services),
memberships (added or changed through ``team_member_save``), and emergencies, read only
(declared, raised, lowered and ended on the pages and the API, where the steps are kept).
Every list is the scoped selector's."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from wangge.access.models import User
from wangge.foundation.admin import ListedOnlyAdmin, ReasonForm, ScopedAdmin
from wangge.foundation.permissions import Action

from .models import Drill, Emergency, Plan, Team, TeamMember
from .selectors import (
    accounts_in_reach,
    drills_visible_to,
    emergencies_visible_to,
    plans_visible_to,
    team_members_visible_to,
    teams_visible_to,
)
from .services import plan_create, team_create, team_member_save

VIEW, EDIT = Action.VIEW_EMERGENCIES, Action.EDIT_EMERGENCY_PLANS


class PlanForm(ReasonForm):
    class Meta:
        model = Plan
        fields = ["name", "hazard", "grid_code"]


@admin.register(Plan)
class PlanAdmin(ScopedAdmin):
    form = PlanForm
    selector = staticmethod(plans_visible_to)
    view_action, edit_action = VIEW, EDIT
    list_display = ["name", "hazard", "grid_code"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # A plan changes through its versions (the pages and the API).
        return ["name", "hazard", "grid_code"] if obj is not None else []

    def create(self, by: Any, data: dict[str, Any], reason: str) -> Plan:
        return plan_create(by=by, reason=reason, **data)


class TeamForm(ReasonForm):
    class Meta:
        model = Team
        fields = ["name", "kind", "grid_code"]


@admin.register(Team)
class TeamAdmin(ScopedAdmin):
    form = TeamForm
    selector = staticmethod(teams_visible_to)
    view_action, edit_action = VIEW, EDIT
    list_display = ["name", "kind", "grid_code"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["name", "kind", "grid_code"] if obj is not None else []

    def create(self, by: Any, data: dict[str, Any], reason: str) -> Team:
        return team_create(by=by, reason=reason, **data)


class TeamMemberForm(ReasonForm):
    class Meta:
        model = TeamMember
        fields = ["team", "user", "skills", "duty_days", "deputy"]


@admin.register(TeamMember)
class TeamMemberAdmin(ScopedAdmin):
    form = TeamMemberForm
    selector = staticmethod(team_members_visible_to)
    view_action, edit_action = VIEW, EDIT
    # A former member (left_at) is taken off on the team page or the API; saving them here
    # puts them back on the team (team_member_save).
    list_display = ["team", "user", "deputy", "grid_code", "left_at"]

    def formfield_for_foreignkey(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if db_field.name == "team":
            kwargs["queryset"] = teams_visible_to(request.user)
        elif db_field.name in ("user", "deputy"):
            kwargs["queryset"] = accounts_in_reach(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["team", "user", "left_at", "left_reason"] if obj is not None else []

    def create(self, by: User, data: dict[str, Any], reason: str) -> TeamMember:
        return team_member_save(by=by, reason=reason, **data)

    def update(self, by: User, record: Any, changes: dict[str, Any], reason: str
               ) -> TeamMember:
        fields = {name: changes.get(name, getattr(record, name))
                  for name in ("skills", "duty_days", "deputy")}
        return team_member_save(team=record.team, user=record.user, by=by, reason=reason,
                                **fields)


@admin.register(Emergency)
class EmergencyAdmin(ListedOnlyAdmin):
    selector = staticmethod(emergencies_visible_to)
    view_action = edit_action = VIEW
    list_display = ["plan", "level", "declared_at", "ended_at", "grid_code"]


@admin.register(Drill)
class DrillAdmin(ListedOnlyAdmin):
    selector = staticmethod(drills_visible_to)
    view_action = edit_action = VIEW
    list_display = ["plan", "level", "scheduled_at", "state", "score", "grid_code"]
    list_filter = ["state"]
