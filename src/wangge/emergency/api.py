"""API of emergency readiness under /api/v1/emergency/: plans and their versions (a draft
written, approved by another), teams and members, declaring an emergency, its record (with
the resources short), the live roll-call, changing its level, ending it, a task done, and
drills (scheduled, run, compared with the previous drill of the plan)."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from wangge.access.models import User
from wangge.foundation.api_support import (
    CodeFilter,
    Pages,
    RecordId,
    acting,
    also_answers,
    caller,
    referenced,
    visible,
    visible_one,
)
from wangge.foundation.codes import scope_prefix
from wangge.foundation.permissions import Action

from .models import Hazard, Severity, TeamKind
from .readiness import compared, holdings_compared
from .selectors import (
    accounts_in_reach,
    drills_visible_to,
    emergencies_visible_to,
    emergency_tasks_visible_to,
    may_command,
    plan_versions_visible_to,
    plans_visible_to,
    previous_drill,
    roll_call,
    team_members_visible_to,
    teams_visible_to,
)
from .services import (
    PLAN_NAME_LENGTH,
    callouts_escalate,
    drill_run,
    drill_schedule,
    emergency_change_level,
    emergency_declare,
    emergency_end,
    emergency_task_done,
    plan_create,
    plan_rename,
    plan_version_approve,
    plan_version_save,
    team_create,
    team_member_remove,
    team_member_save,
)

router = Router(tags=["emergency"])
VIEW, EDIT = Action.VIEW_EMERGENCIES, Action.EDIT_EMERGENCY_PLANS
APPROVE, DECLARE = Action.APPROVE_EMERGENCY_PLANS, Action.DECLARE_EMERGENCIES
REFUSALS = also_answers(422, meaning={422: gettext_lazy(
    "A rule of plans, teams or emergencies is broken; errors names each.")})


class Why(Schema):
    reason: str = Field(min_length=1, max_length=500)


class PlanOut(Schema):
    id: int
    name: str
    hazard: str
    grid_code: str


class VersionOut(Schema):
    id: int
    number: int
    state: str
    levels: dict[str, Any]
    author_id: int | None
    approver_id: int | None
    approved_at: datetime.datetime | None


class PlanDetail(PlanOut):
    versions: list[VersionOut]


class PlanIn(Why):
    name: str = Field(max_length=100)
    hazard: Hazard
    grid_code: str = Field(max_length=15)


class RenameIn(Why):
    name: str = Field(min_length=1, max_length=PLAN_NAME_LENGTH)


class DraftIn(Why):
    levels: dict[str, Any]


class TeamOut(Schema):
    id: int
    name: str
    kind: str
    grid_code: str


class TeamMemberOut(Schema):
    id: int
    user_id: int
    username: str = Field(alias="user.username")
    skills: list[str]
    duty_days: list[int]
    deputy_id: int | None
    left_at: datetime.datetime | None = Field(description="When they left the team (former "
                                                          "members only)")
    left_reason: str


class TeamDetail(TeamOut):
    members: list[TeamMemberOut] = Field(description="The current members: those called")
    former_members: list[TeamMemberOut] = Field(description="Members who left the team, "
                                                            "latest first; never called")


class TeamIn(Why):
    name: str = Field(max_length=100)
    kind: TeamKind
    grid_code: str = Field(max_length=15)


class MemberIn(Why):
    user_id: RecordId
    deputy_id: RecordId | None = None
    skills: list[str] = Field(default_factory=list, max_length=20)
    duty_days: list[int] = Field(default_factory=list, max_length=7)


class EmergencyOut(Schema):
    id: int
    plan_id: int
    version_id: int
    level: str
    colour: str
    grids: list[str]
    affected_population: int
    requirements: list[dict[str, Any]]
    declared_at: datetime.datetime
    ended_at: datetime.datetime | None


class TaskOut(Schema):
    id: int
    level: str
    title: str
    owner_id: int
    due_at: datetime.datetime
    state: str


class EmergencyStepOut(Schema):
    kind: str
    level: str
    actor: str = Field(alias="actor_name")
    reason: str
    at: datetime.datetime


class CheckOut(Schema):
    key: str = Field(description="shelter_places, material:<category>, helpers or "
                                  "team:<id>")
    required: float
    available: float
    unit: str


class EmergencyDetail(EmergencyOut):
    tasks: list[TaskOut]
    steps: list[EmergencyStepOut]
    holdings: list[CheckOut] = Field(description="Each requirement against the resources "
                                                 "held in the plan's area today")


class DrillOut(Schema):
    id: int
    plan_id: int
    version_id: int
    level: str
    grids: list[str]
    scheduled_at: datetime.datetime
    state: str
    ran_at: datetime.datetime | None
    score: int | None


class GapOut(CheckOut):
    owner: dict[str, Any] = Field(description="The team ({team, name}) or the plan's "
                                              "account ({account, name})")


class DrillDetail(DrillOut):
    participant_ids: list[int] = Field(description="Team members taking part")
    population: int | None
    needing_help: int | None
    checks: list[CheckOut]
    gaps: list[GapOut]
    tasks: list[TaskOut]
    previous_id: int | None = Field(description="The plan's drill run before this one")
    previous_score: int | None
    changes: dict[str, str] = Field(description="Per check: better, worse, same or new")


class DrillIn(Why):
    plan_id: RecordId
    level: Severity
    grids: list[str] = Field(min_length=1, max_length=500)
    scheduled_at: datetime.datetime
    participant_ids: list[RecordId] = Field(min_length=1, max_length=500)


class CallOut(Schema):
    id: int
    user_id: int
    username: str = Field(alias="user.username")
    team: str = Field(alias="member.team.name")
    answer: str
    called_at: datetime.datetime
    answered_at: datetime.datetime | None
    deputy_for_id: int | None
    deputy_called_at: datetime.datetime | None


class RollCallOut(Schema):
    available: int
    unavailable: int
    waiting: int
    late: int = Field(description="Waiting past the answer time, their deputy not yet called")
    callouts: list[CallOut]


class DeclareIn(Why):
    plan_id: RecordId
    level: Severity
    grids: list[str] = Field(min_length=1, max_length=500)


class LevelIn(Why):
    level: Severity


def _plan(plan: Any, user: User) -> dict[str, Any]:
    return {"id": plan.pk, "name": plan.name, "hazard": plan.hazard,
            "grid_code": plan.grid_code,
            "versions": list(plan_versions_visible_to(user).filter(plan=plan))}


def _team(team: Any, user: User) -> dict[str, Any]:
    members = team_members_visible_to(user).filter(team=team)
    return {"id": team.pk, "name": team.name, "kind": team.kind, "grid_code": team.grid_code,
            "members": list(members.current()),
            "former_members": list(members.former().order_by("-left_at", "-pk"))}


def _emergency(emergency: Any) -> dict[str, Any]:
    fields = EmergencyOut.model_fields
    holdings = holdings_compared(emergency.requirements, scope_prefix(emergency.plan.grid_code),
                                 timezone.localdate())
    return {**{name: getattr(emergency, name) for name in fields},
            "tasks": list(emergency.tasks.all()), "steps": list(emergency.steps.all()),
            "holdings": [check.as_data() for check in holdings]}


def _drill(drill: Any) -> dict[str, Any]:
    previous = previous_drill(drill)
    checks = drill.result.get("checks", [])
    return {**{name: getattr(drill, name) for name in DrillOut.model_fields},
            "participant_ids": list(drill.participants.values_list("pk", flat=True)),
            "population": drill.result.get("population"),
            "needing_help": drill.result.get("needing_help"), "checks": checks,
            "gaps": drill.result.get("gaps", []), "tasks": list(drill.tasks.all()),
            "previous_id": getattr(previous, "pk", None),
            "previous_score": getattr(previous, "score", None),
            "changes": compared(checks, previous.result.get("checks", [])) if previous else {}}


@router.get("/emergency/plans", response=list[PlanOut])
@paginate(Pages)
def plan_list(request: HttpRequest, filters: Query[CodeFilter]) -> QuerySet:
    return filters.narrow(visible(request, plans_visible_to, VIEW))


@router.get("/emergency/plans/{id}", response=PlanDetail)
def plan_get(request: HttpRequest, id: RecordId) -> dict[str, Any]:
    return _plan(visible_one(request, plans_visible_to, VIEW, pk=id), caller(request))


@router.post("/emergency/plans", response={201: PlanDetail}, openapi_extra=REFUSALS)
def plan_post(request: HttpRequest, payload: PlanIn) -> dict[str, Any]:
    by = acting(request, EDIT)
    plan = plan_create(name=payload.name, hazard=payload.hazard, grid_code=payload.grid_code,
                       by=by, reason=payload.reason)
    return _plan(plan, by)


@router.post("/emergency/plans/{id}/draft", response=PlanDetail, openapi_extra=REFUSALS)
def plan_draft_post(request: HttpRequest, id: RecordId, payload: DraftIn) -> dict[str, Any]:
    """Write the plan's draft: for each level, actions (title, owner, hours), teams (ids)
    and resources (category, per_person, unit, per_day, days)."""
    plan = visible_one(request, plans_visible_to, VIEW, pk=id)
    by = acting(request, EDIT)
    plan_version_save(plan=plan, levels=payload.levels, by=by, reason=payload.reason)
    return _plan(plan, by)


@router.post("/emergency/plans/{id}/name", response=PlanDetail, openapi_extra=REFUSALS)
def plan_rename_post(request: HttpRequest, id: RecordId, payload: RenameIn) -> dict[str, Any]:
    """Rename the plan (its versions, drills and emergencies stay with it)."""
    plan = visible_one(request, plans_visible_to, VIEW, pk=id)
    by = acting(request, EDIT)
    return _plan(plan_rename(plan=plan, name=payload.name, by=by, reason=payload.reason), by)


@router.post("/emergency/versions/{id}/approve", response=VersionOut, openapi_extra=REFUSALS)
def version_approve_post(request: HttpRequest, id: RecordId, payload: Why) -> Any:
    """Put a draft in force: never by its author."""
    version = visible_one(request, plan_versions_visible_to, VIEW, pk=id)
    return plan_version_approve(version=version, by=acting(request, APPROVE),
                                reason=payload.reason)


@router.get("/emergency/teams", response=list[TeamOut])
@paginate(Pages)
def team_list(request: HttpRequest, filters: Query[CodeFilter]) -> QuerySet:
    return filters.narrow(visible(request, teams_visible_to, VIEW))


@router.get("/emergency/teams/{id}", response=TeamDetail)
def team_get(request: HttpRequest, id: RecordId) -> dict[str, Any]:
    return _team(visible_one(request, teams_visible_to, VIEW, pk=id), caller(request))


@router.post("/emergency/teams", response={201: TeamDetail}, openapi_extra=REFUSALS)
def team_post(request: HttpRequest, payload: TeamIn) -> dict[str, Any]:
    by = acting(request, EDIT)
    team = team_create(name=payload.name, kind=payload.kind, grid_code=payload.grid_code,
                       by=by, reason=payload.reason)
    return _team(team, by)


@router.post("/emergency/teams/{id}/members", response=TeamDetail, openapi_extra=REFUSALS)
def team_member_post(request: HttpRequest, id: RecordId, payload: MemberIn) -> dict[str, Any]:
    """Put an account of the caller's jurisdiction on the team, or change its membership."""
    team = visible_one(request, teams_visible_to, VIEW, pk=id)
    by = acting(request, EDIT)
    user = referenced(request, accounts_in_reach, EDIT, field="user_id", pk=payload.user_id)
    deputy = referenced(request, accounts_in_reach, EDIT, field="deputy_id",
                        pk=payload.deputy_id)
    team_member_save(team=team, user=user, deputy=deputy, skills=payload.skills,
                     duty_days=payload.duty_days, by=by, reason=payload.reason)
    return _team(team, by)


@router.post("/emergency/teams/{id}/members/{member_id}/remove", response=TeamDetail,
             openapi_extra=REFUSALS)
def team_member_remove_post(request: HttpRequest, id: RecordId, member_id: RecordId,
                            payload: Why) -> dict[str, Any]:
    """Take a member off the team: listed with the former members, never called again
    (putting the account on the team again makes them a member again)."""
    team = visible_one(request, teams_visible_to, VIEW, pk=id)
    member = visible_one(request, team_members_visible_to, VIEW, team=team, pk=member_id)
    by = acting(request, EDIT)
    team_member_remove(member=member, by=by, reason=payload.reason)
    return _team(team, by)


@router.get("/emergency/emergencies", response=list[EmergencyOut])
@paginate(Pages)
def emergency_list(request: HttpRequest, filters: Query[CodeFilter]) -> QuerySet:
    return filters.narrow(visible(request, emergencies_visible_to, VIEW))


@router.get("/emergency/emergencies/{id}", response=EmergencyDetail)
def emergency_get(request: HttpRequest, id: RecordId) -> dict[str, Any]:
    """The record of the whole response: tasks (open, done, closed undone) and steps."""
    return _emergency(visible_one(request, emergencies_visible_to, VIEW, pk=id))


@router.post("/emergency/emergencies", response={201: EmergencyDetail},
             openapi_extra=REFUSALS)
def emergency_post(request: HttpRequest, payload: DeclareIn) -> dict[str, Any]:
    """Declare an emergency: the plan's checklist for the level becomes tasks, its teams'
    members are called."""
    by = acting(request, DECLARE)
    plan = referenced(request, plans_visible_to, VIEW, field="plan_id", pk=payload.plan_id)
    emergency = emergency_declare(plan=plan, level=payload.level, grids=payload.grids, by=by,
                                  reason=payload.reason)
    return _emergency(emergency)


@router.post("/emergency/emergencies/{id}/level", response=EmergencyDetail,
             openapi_extra=REFUSALS)
def emergency_level_post(request: HttpRequest, id: RecordId, payload: LevelIn
                         ) -> dict[str, Any]:
    emergency = visible_one(request, emergencies_visible_to, VIEW, pk=id)
    return _emergency(emergency_change_level(emergency=emergency, level=payload.level,
                                             by=acting(request, DECLARE),
                                             reason=payload.reason))


@router.post("/emergency/emergencies/{id}/end", response=EmergencyDetail,
             openapi_extra=REFUSALS)
def emergency_end_post(request: HttpRequest, id: RecordId, payload: Why) -> dict[str, Any]:
    emergency = visible_one(request, emergencies_visible_to, VIEW, pk=id)
    return _emergency(emergency_end(emergency=emergency, by=acting(request, DECLARE),
                                    reason=payload.reason))


@router.get("/emergency/emergencies/{id}/roll-call", response=RollCallOut)
def roll_call_get(request: HttpRequest, id: RecordId) -> Any:
    """Who was called and how each answered (reading writes nothing: `wangge callouts` calls
    the deputies of members late to answer, or the POST below at once)."""
    return roll_call(visible_one(request, emergencies_visible_to, VIEW, pk=id))


@router.post("/emergency/emergencies/{id}/roll-call/deputies", response=RollCallOut,
             openapi_extra=REFUSALS)
def roll_call_deputies_post(request: HttpRequest, id: RecordId) -> Any:
    """Call now the deputies of members who have not answered in time (a commander)."""
    emergency = visible_one(request, emergencies_visible_to, VIEW, pk=id)
    user = acting(request, DECLARE)
    if not may_command(user, emergency):
        raise PermissionDenied(_("Only those who command this emergency, while it is under "
                                 "way, may do this."))
    callouts_escalate(by=user, emergency=emergency)
    return roll_call(emergency)


@router.post("/emergency/tasks/{id}/done", response=TaskOut, openapi_extra=REFUSALS)
def task_done_post(request: HttpRequest, id: RecordId, payload: Why) -> Any:
    """A task done: by its owner, or by whoever commands the emergency (for a drill's
    improvement task, whoever keeps the plan)."""
    user = caller(request)
    # One's own task needs no view action; anyone else's is read through the jurisdiction.
    task = (emergency_tasks_visible_to(user).filter(pk=id, owner=user).first()
            or visible_one(request, emergency_tasks_visible_to, VIEW, pk=id))
    return emergency_task_done(task=task, by=user, reason=payload.reason)


@router.get("/emergency/drills", response=list[DrillOut])
@paginate(Pages)
def drill_list(request: HttpRequest, filters: Query[CodeFilter]) -> QuerySet:
    return filters.narrow(visible(request, drills_visible_to, VIEW))


@router.get("/emergency/drills/{id}", response=DrillDetail)
def drill_get(request: HttpRequest, id: RecordId) -> dict[str, Any]:
    """A drill: once run, its checks, score, gaps with owners and improvement tasks, and
    each check compared with the plan's previous drill."""
    return _drill(visible_one(request, drills_visible_to, VIEW, pk=id))


@router.post("/emergency/drills", response={201: DrillDetail}, openapi_extra=REFUSALS)
def drill_post(request: HttpRequest, payload: DrillIn) -> dict[str, Any]:
    """Schedule a drill; its participants (members of the level's teams) are told, marked
    as an exercise, and nobody else."""
    by = acting(request, EDIT)
    plan = referenced(request, plans_visible_to, VIEW, field="plan_id", pk=payload.plan_id)
    members = list(team_members_visible_to(by).current().filter(
        pk__in=payload.participant_ids))
    if len(members) != len(set(payload.participant_ids)):
        raise ValidationError({"participant_ids": _(
            "Choose the participants among the members of the level's teams.")})
    return _drill(drill_schedule(plan=plan, level=payload.level, grids=payload.grids,
                                 scheduled_at=payload.scheduled_at, participants=members,
                                 by=by, reason=payload.reason))


@router.post("/emergency/drills/{id}/run", response=DrillDetail, openapi_extra=REFUSALS)
def drill_run_post(request: HttpRequest, id: RecordId, payload: Why) -> dict[str, Any]:
    """Run the drill against the live data (once)."""
    drill = visible_one(request, drills_visible_to, VIEW, pk=id)
    return _drill(drill_run(drill=drill, by=acting(request, EDIT), reason=payload.reason))
