"""Writes of emergency readiness: plans and their versions, teams and members, declaring an
emergency, changing its level, ending it, tasks done, and the roll-call (answers, deputies).

Every write checks the actor's role and jurisdiction and saves through
``save_with_history``; an emergency's steps are also kept as ``EmergencyStep`` rows, so the
record of the whole response remains after it ends. A declaration turns the checklist of the
level into tasks with deadlines counted from that moment and calls the members on duty of the
level's teams (notifications' ``notify_about``, kind CALLOUT, with a signed one-tap link). A
member who answers unavailable, or not within ``WANGGE_CALLOUT_ANSWER_MINUTES``, has their
deputy called in their place (``callouts_escalate``: `wangge callouts` and the roll-call page).
"""

import datetime
import math
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from wangge.access.models import User
from wangge.divisions.models import Grid
from wangge.foundation.actors import Actor, user_of
from wangge.foundation.codes import Level, is_within, level_of, scope_prefix
from wangge.foundation.history import save_with_history, stated_reason
from wangge.foundation.permissions import Action, require, require_in_scope
from wangge.notifications.models import CALLOUT
from wangge.notifications.services import notify_about
from wangge.people.models import Person

from .links import answer_token
from .models import (
    RESOURCE_CATEGORIES,
    Answer,
    Callout,
    Drill,
    DrillState,
    Emergency,
    EmergencyStep,
    EmergencyTask,
    Hazard,
    Plan,
    PlanVersion,
    Severity,
    StepKind,
    TaskState,
    Team,
    TeamKind,
    TeamMember,
    VersionState,
)
from .readiness import category_names, check_label, drill_figures, requirements, score_of

PLAN_LEVELS = (Level.COMMUNITY, Level.STREET, Level.DISTRICT)
# Gravest last: raising a level moves right.
ORDER = [Severity.LEVEL_IV, Severity.LEVEL_III, Severity.LEVEL_II, Severity.LEVEL_I]
MAX_HOURS = 720
MAX_DAYS = 90
MAX_ROWS = 100  # actions, teams or resource rules in one level
PLAN_NAME_LENGTH = 100


def _now() -> datetime.datetime:
    return timezone.now()


def _area_ok(prefix: str, plan_code: str) -> bool:
    """Whether a team's or an owner's area (its scope ``prefix``) lies inside the plan's
    area or contains it (a street's rescue team serves its communities' plans)."""
    plan_prefix = scope_prefix(plan_code)
    return prefix.startswith(plan_prefix) or plan_prefix.startswith(prefix)


# --- plans ------------------------------------------------------------------------------------

def plan_create(*, name: str, hazard: str, grid_code: str, by: Actor, reason: str) -> Plan:
    """A community's, street's or district's plan for ``hazard`` (one per area and hazard)."""
    require(by, Action.EDIT_EMERGENCY_PLANS)
    reason = stated_reason(reason)
    if level_of(grid_code) not in PLAN_LEVELS:
        raise ValidationError({"grid_code": _("A plan belongs to a community, a street or a "
                                              "district.")})
    require_in_scope(by, grid_code)
    if hazard not in Hazard.values:
        raise ValidationError({"hazard": _("Choose a hazard from the list.")})
    if not name.strip():
        raise ValidationError({"name": _("Give the plan a name.")})
    if Plan.objects.filter(grid_code=grid_code, hazard=hazard).exists():
        raise ValidationError({"hazard": _("This area already has a plan for this hazard: "
                                           "write a new version of it.")})
    return save_with_history(Plan(name=name.strip()[:PLAN_NAME_LENGTH], hazard=hazard,
                                  grid_code=grid_code), by=by, reason=reason)


def plan_rename(*, plan: Plan, name: str, by: Actor, reason: str) -> Plan:
    """Give ``plan`` a new name (its versions, drills and emergencies keep pointing at it)."""
    require(by, Action.EDIT_EMERGENCY_PLANS)
    require_in_scope(by, plan.grid_code, "plan")
    reason = stated_reason(reason)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the plan a name.")})
    if len(name) > PLAN_NAME_LENGTH:
        raise ValidationError({"name": _("A plan's name has at most %(most)s characters.")
                               % {"most": PLAN_NAME_LENGTH}})
    if name == plan.name:
        raise ValidationError({"name": _("The plan has this name already.")})
    plan.name = name
    return save_with_history(plan, by=by, reason=reason)


def _number(value: Any, *, low: float, high: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if low <= value <= high and math.isfinite(value) else None


def _actions_checked(plan: Plan, level: str, rows: Any, errors: list[str]
                     ) -> list[dict[str, Any]]:
    actions = []
    owners = User.objects.filter(is_active=True, pk__in=[
        row.get("owner") for row in rows if isinstance(row, dict)
        and isinstance(row.get("owner"), int)]).prefetch_related("jurisdictions")
    by_id = {user.pk: user for user in owners}
    for number, row in enumerate(rows, 1):
        where = {"level": level, "row": number}
        if not isinstance(row, dict):
            errors.append(_("Level %(level)s, action %(row)s: not an action.") % where)
            continue
        title = str(row.get("title", "")).strip()
        owner = by_id.get(row.get("owner", 0))
        hours = _number(row.get("hours"), low=0, high=MAX_HOURS)
        if not title:
            errors.append(_("Level %(level)s, action %(row)s: say what is to be done.")
                          % where)
        if owner is None or not any(_area_ok(prefix, plan.grid_code)
                                    for prefix in owner.scope_prefixes if prefix):
            errors.append(_("Level %(level)s, action %(row)s: the owner must be an active "
                            "account that answers for this plan's area.") % where)
        if hours is None:
            errors.append(_("Level %(level)s, action %(row)s: the deadline is a number of "
                            "hours after activation, 0 to %(most)s.")
                          % {**where, "most": MAX_HOURS})
        if title and owner is not None and hours is not None:
            actions.append({"title": title[:200], "owner": owner.pk, "hours": hours})
    return actions


def _teams_checked(plan: Plan, level: str, ids: Any, errors: list[str]) -> list[int]:
    wanted = [value for value in ids if isinstance(value, int) and not isinstance(value, bool)]
    teams = {team.pk: team for team in Team.objects.filter(pk__in=wanted)}
    if len(wanted) != len(ids) or any(
            pk not in teams or not _area_ok(scope_prefix(teams[pk].grid_code), plan.grid_code)
            for pk in wanted):
        errors.append(_("Level %(level)s: every team must be a team of this plan's area.")
                      % {"level": level})
    return sorted(set(wanted) & set(teams))


def _resources_checked(level: str, rows: Any, errors: list[str]) -> list[dict[str, Any]]:
    resources = []
    for number, row in enumerate(rows, 1):
        where = {"level": level, "row": number}
        if not isinstance(row, dict) or row.get("category") not in RESOURCE_CATEGORIES:
            errors.append(_("Level %(level)s, resource %(row)s: the category must be one of "
                            "%(codes)s.") % {**where, "codes": ", ".join(RESOURCE_CATEGORIES)})
            continue
        per_person = _number(row.get("per_person"), low=0.0001, high=10000)
        per_day = row.get("per_day", False) is True
        days = _number(row.get("days", 1), low=1, high=MAX_DAYS)
        if per_person is None:
            errors.append(_("Level %(level)s, resource %(row)s: give a positive quantity per "
                            "affected resident.") % where)
        if days is None or days != int(days):
            errors.append(_("Level %(level)s, resource %(row)s: the days to cover are a whole "
                            "number from 1 to %(most)s.") % {**where, "most": MAX_DAYS})
        if per_person is not None and days is not None and days == int(days):
            resources.append({"category": row["category"], "per_person": per_person,
                              "unit": str(row.get("unit", "")).strip()[:20],
                              "per_day": per_day, "days": int(days) if per_day else 1})
    return resources


def levels_checked(plan: Plan, levels: Any) -> dict[str, dict[str, Any]]:
    """A version's levels as stored, or a ValidationError on ``levels`` naming each broken
    rule by level and row."""
    if not isinstance(levels, dict) or not levels:
        raise ValidationError({"levels": _("Describe at least one level.")})
    if len(levels) > len(Severity.values):
        raise ValidationError({"levels": _("The levels are I, II, III and IV.")})
    errors: list[str] = []
    checked: dict[str, dict[str, Any]] = {}
    for level, content in levels.items():
        if level not in Severity.values or not isinstance(content, dict):
            errors.append(_("%(level)s is not a level: use I, II, III or IV.")
                          % {"level": level})
            continue
        parts = {name: content.get(name, []) for name in ("actions", "teams", "resources")}
        if any(not isinstance(value, list) for value in parts.values()):
            errors.append(_("Level %(level)s: actions, teams and resources are lists.")
                          % {"level": level})
            continue
        if any(len(value) > MAX_ROWS for value in parts.values()):
            errors.append(_("Level %(level)s: at most %(most)s actions, teams or resources.")
                          % {"level": level, "most": MAX_ROWS})
            continue
        checked[level] = {
            "actions": _actions_checked(plan, level, parts["actions"], errors),
            "teams": _teams_checked(plan, level, parts["teams"], errors),
            "resources": _resources_checked(level, parts["resources"], errors)}
    if errors:
        raise ValidationError({"levels": errors})
    return {level: checked[level] for level in ORDER if level in checked}


def plan_version_save(*, plan: Plan, levels: Any, by: Actor, reason: str) -> PlanVersion:
    """Write the plan's draft (a new version after the one in force, or the draft already
    open, whose author ``by`` becomes)."""
    require(by, Action.EDIT_EMERGENCY_PLANS)
    require_in_scope(by, plan.grid_code)
    reason = stated_reason(reason)
    checked = levels_checked(plan, levels)
    with transaction.atomic():
        draft = plan.versions.select_for_update().filter(state=VersionState.DRAFT).first()
        if draft is None:
            latest = plan.versions.order_by("-number").values_list("number", flat=True).first()
            draft = PlanVersion(plan=plan, number=(latest or 0) + 1, grid_code=plan.grid_code)
        draft.levels, draft.author = checked, user_of(by)
        return save_with_history(draft, by=by, reason=reason)


def plan_version_approve(*, version: PlanVersion, by: Actor, reason: str) -> PlanVersion:
    """Put a draft in force (the version in force before it is superseded; emergencies
    already declared keep theirs). Never by its author."""
    require(by, Action.APPROVE_EMERGENCY_PLANS)
    require_in_scope(by, version.grid_code)
    reason = stated_reason(reason)
    if version.state != VersionState.DRAFT:
        raise ValidationError(_("Only a draft can be approved."))
    if version.author_id is not None and version.author_id == getattr(by, "pk", None):
        raise PermissionDenied(_("A version is approved by someone other than its author."))
    # The teams and owners may have changed since the draft was written.
    version.levels = levels_checked(version.plan, version.levels)
    with transaction.atomic():
        for current in version.plan.versions.filter(state=VersionState.IN_FORCE):
            current.state = VersionState.SUPERSEDED
            save_with_history(current, by=by, reason=_("Superseded by version %(number)s")
                              % {"number": version.number})
        version.state, version.approver = VersionState.IN_FORCE, user_of(by)
        version.approved_at = _now()
        return save_with_history(version, by=by, reason=reason)


# --- teams ------------------------------------------------------------------------------------

def team_create(*, name: str, kind: str, grid_code: str, by: Actor, reason: str) -> Team:
    require(by, Action.EDIT_EMERGENCY_PLANS)
    reason = stated_reason(reason)
    level_of(grid_code)
    require_in_scope(by, grid_code)
    if kind not in TeamKind.values:
        raise ValidationError({"kind": _("Choose a kind of team from the list.")})
    if not name.strip():
        raise ValidationError({"name": _("Give the team a name.")})
    return save_with_history(Team(name=name.strip()[:100], kind=kind, grid_code=grid_code),
                             by=by, reason=reason)


def team_member_save(*, team: Team, user: User, skills: Iterable[str] = (),
                     duty_days: Iterable[int] = (), deputy: User | None = None, by: Actor,
                     reason: str) -> TeamMember:
    """Put ``user`` on ``team`` (or change their skills, days on duty and deputy); a
    former member put back is a current member again."""
    require(by, Action.EDIT_EMERGENCY_PLANS)
    require_in_scope(by, team.grid_code, "team")
    reason = stated_reason(reason)
    days = sorted(set(duty_days))
    if any(isinstance(day, bool) or day not in range(7) for day in days):
        raise ValidationError({"duty_days": _("Days on duty are 0 (Monday) to 6 (Sunday).")})
    if not user.is_active:
        raise ValidationError({"user": _("This account is not active.")})
    if deputy is not None and (deputy == user or not deputy.is_active):
        raise ValidationError({"deputy": _("The deputy is another active account.")})
    member = TeamMember.objects.filter(team=team, user=user).first() or TeamMember(
        team=team, user=user, grid_code=team.grid_code)
    member.skills = sorted({skill.strip()[:50] for skill in skills if skill.strip()})
    member.duty_days, member.deputy = days, deputy
    member.left_at, member.left_reason = None, ""
    return save_with_history(member, by=by, reason=reason)


def team_member_remove(*, member: TeamMember, by: Actor, reason: str) -> TeamMember:
    """Take ``member`` off their team: never called, drilled or counted again, while the
    record stays (their past calls refer to it). ``team_member_save`` puts them back."""
    require(by, Action.EDIT_EMERGENCY_PLANS)
    require_in_scope(by, member.grid_code, "team")
    reason = stated_reason(reason)
    if member.left_at is not None:
        raise ValidationError(_("This member has left the team already."))
    member.left_at, member.left_reason = _now(), reason[:500]
    return save_with_history(member, by=by, reason=reason)


# --- emergencies ------------------------------------------------------------------------------

def _step(emergency: Emergency, kind: str, by: Actor, reason: str) -> None:
    user = user_of(by)
    name = str(by) if user is None else (user.get_full_name() or user.get_username())
    EmergencyStep.objects.create(emergency=emergency, kind=kind, level=emergency.level,
                                 actor=user, actor_name=name[:150], reason=reason[:500],
                                 at=_now())


def _commanded(emergency: Emergency, by: Actor) -> None:
    require(by, Action.DECLARE_EMERGENCIES)
    require_in_scope(by, emergency.grid_code, "emergency")
    if emergency.ended_at is not None:
        raise ValidationError(_("This emergency has ended."))


def _version_for(plan: Plan, level: str) -> PlanVersion:
    """The plan's version in force, refused unless it says something for ``level``."""
    version = plan.versions.filter(state=VersionState.IN_FORCE).first()
    if version is None:
        raise ValidationError({"plan": _("The plan has no version in force: approve one "
                                         "first.")})
    if level not in version.levels:
        raise ValidationError({"level": _("The plan in force says nothing for this level.")})
    return version


def _grids_checked(plan: Plan, grids: Iterable[str], by: Actor) -> list[str]:
    """The affected grids, sorted, refused unless each is a grid of the plan's area and of
    the actor's jurisdiction."""
    codes = sorted(set(grids))
    known = set(Grid.objects.filter(code__in=codes).values_list("code", flat=True))
    if not codes or set(codes) - known or not all(
            is_within(code, [scope_prefix(plan.grid_code)]) and
            is_within(code, by.scope_prefixes) for code in codes):
        raise ValidationError({"grids": _("Choose the affected grids of the plan's area.")})
    return codes


def emergency_declare(*, plan: Plan, level: str, grids: Iterable[str], by: Actor,
                      reason: str) -> Emergency:
    """Activate ``plan`` at ``level`` for the affected ``grids``: tasks, calls, requirements."""
    require(by, Action.DECLARE_EMERGENCIES)
    require_in_scope(by, plan.grid_code, "plan")
    reason = stated_reason(reason)
    version = _version_for(plan, level)
    codes = _grids_checked(plan, grids, by)
    with transaction.atomic():
        if Plan.objects.select_for_update().get(pk=plan.pk).emergencies.filter(
                ended_at__isnull=True).exists():
            raise ValidationError({"plan": _("An emergency under this plan is under way: "
                                             "change its level instead.")})
        now = _now()
        # A record merged into another is the same resident: counted once.
        population = Person.objects.filter(grid_code__in=codes,
                                           merged_into__isnull=True).count()
        emergency = save_with_history(Emergency(
            plan=plan, version=version, level=level, grids=codes, declared_at=now,
            affected_population=population, declared_by=user_of(by), grid_code=plan.grid_code,
            requirements=requirements(version.levels, level, population)), by=by, reason=reason)
        _step(emergency, StepKind.DECLARED, by, reason)
        _tasks_follow(emergency, by, now)
        _mobilize(emergency, by, now)
    return emergency


def emergency_change_level(*, emergency: Emergency, level: str, by: Actor,
                           reason: str) -> Emergency:
    """Raise or lower the level: tasks and calls the new level no longer has are closed or
    released, those it adds are created and called (deadlines from now)."""
    _commanded(emergency, by)
    reason = stated_reason(reason)
    if level == emergency.level:
        raise ValidationError({"level": _("The emergency is at this level already.")})
    if level not in emergency.version.levels:
        raise ValidationError({"level": _("The plan in force says nothing for this level.")})
    kind = (StepKind.RAISED if ORDER.index(Severity(level)) > ORDER.index(
        Severity(emergency.level)) else StepKind.LOWERED)
    with transaction.atomic():
        now = _now()
        emergency.level = level
        emergency.requirements = requirements(emergency.version.levels, level,
                                              emergency.affected_population)
        save_with_history(emergency, by=by, reason=reason)
        _step(emergency, kind, by, reason)
        _tasks_follow(emergency, by, now)
        _mobilize(emergency, by, now)
    return emergency


def emergency_end(*, emergency: Emergency, by: Actor, reason: str) -> Emergency:
    """End the emergency: open tasks are closed undone, calls released; the record stays."""
    _commanded(emergency, by)
    reason = stated_reason(reason)
    with transaction.atomic():
        now = _now()
        emergency.ended_at = now
        save_with_history(emergency, by=by, reason=reason)
        _step(emergency, StepKind.ENDED, by, reason)
        for task in emergency.tasks.filter(state=TaskState.OPEN):
            _task_close(task, TaskState.CLOSED, by, _("The emergency ended."), now)
        for callout in emergency.callouts.filter(released_at__isnull=True):
            _release(callout, by, _("The emergency ended."), now)
    return emergency


def _task_close(task: EmergencyTask, state: str, by: Actor, reason: str,
                now: datetime.datetime) -> None:
    task.state, task.closed_at = state, now
    save_with_history(task, by=by, reason=reason)


def _tasks_follow(emergency: Emergency, by: Actor, now: datetime.datetime) -> None:
    """Make the open tasks those of the current level's checklist (kept when the level
    changes but the action stays, by title and owner)."""
    actions = emergency.version.levels[emergency.level]["actions"]
    wanted = {(action["title"], action["owner"]): action for action in actions}
    for task in emergency.tasks.filter(state=TaskState.OPEN):
        if wanted.pop((task.title, task.owner_id), None) is None:
            _task_close(task, TaskState.CLOSED, by,
                        _("Not part of level %(level)s.") % {"level": emergency.level}, now)
    owners = User.objects.in_bulk([owner for _title, owner in wanted])
    for (title, owner), action in wanted.items():
        save_with_history(EmergencyTask(
            emergency=emergency, level=emergency.level, title=title, owner=owners[owner],
            due_at=now + datetime.timedelta(hours=action["hours"]),
            grid_code=emergency.grid_code), by=by,
            reason=_("Level %(level)s") % {"level": emergency.level})


def _release(callout: Callout, by: Actor, reason: str, now: datetime.datetime) -> None:
    callout.released_at = now
    save_with_history(callout, by=by, reason=reason)


def _on_duty(member: TeamMember, now: datetime.datetime) -> bool:
    return not member.duty_days or timezone.localtime(now).weekday() in member.duty_days


def _mobilize(emergency: Emergency, by: Actor, now: datetime.datetime) -> None:
    """Call the members on duty of the level's teams not yet called; release the calls of
    teams the level no longer needs."""
    teams = set(emergency.version.levels[emergency.level]["teams"])
    active = list(emergency.callouts.filter(released_at__isnull=True).select_related("member"))
    for callout in active:
        if callout.member.team_id not in teams:
            _release(callout, by, _("Level %(level)s does not need this team.")
                     % {"level": emergency.level}, now)
    called = {callout.member_id for callout in active if callout.member.team_id in teams}
    members = TeamMember.objects.current().filter(
        team_id__in=teams, user__is_active=True).exclude(pk__in=called).select_related(
        "team", "user", "deputy")
    for member in members:
        if _on_duty(member, now):
            _call(emergency, member, member.user, by, now)
        elif member.deputy is not None and member.deputy.is_active:
            _call(emergency, member, member.deputy, by, now)


def _call(emergency: Emergency, member: TeamMember, user: User, by: Actor,
          now: datetime.datetime, deputy_for: Callout | None = None) -> Callout:
    callout = save_with_history(Callout(
        emergency=emergency, member=member, user=user, deputy_for=deputy_for, called_at=now,
        grid_code=emergency.grid_code), by=by,
        reason=_("Called at level %(level)s") % {"level": emergency.level})
    link = reverse("emergency:answer", args=[answer_token(callout.pk)])
    notify_about([user], kind=CALLOUT, actor=user_of(by), link=link,
                 wording=gettext_noop("%(plan)s, level %(level)s: your team %(team)s is "
                                      "called. Answer whether you are available."),
                 values={"plan": emergency.plan.name, "level": emergency.level,
                         "team": member.team.name})
    return callout


def _deputy_called(callout: Callout, by: Actor, now: datetime.datetime) -> bool:
    """Call the member's deputy in their place (once per call; a deputy's own call has
    none)."""
    deputy = callout.member.deputy
    if (callout.deputy_for_id is not None or callout.deputy_called_at is not None
            or deputy is None or not deputy.is_active):
        return False
    callout.deputy_called_at = now
    save_with_history(callout, by=by, reason=_("Deputy called"))
    _call(callout.emergency, callout.member, deputy, by, now, deputy_for=callout)
    return True


def callout_answer(*, callout: Callout, available: bool, by: Actor) -> Callout:
    """The called account's answer (its one-tap link stands for it); unavailable calls the
    deputy at once."""
    if user_of(by) != callout.user:
        raise PermissionDenied(_("Only the person called answers this call."))
    if callout.released_at is not None or callout.emergency.ended_at is not None:
        raise ValidationError(_("This call is over: nothing more is needed from you."))
    with transaction.atomic():
        now = _now()
        callout.answer = Answer.AVAILABLE if available else Answer.UNAVAILABLE
        callout.answered_at = now
        save_with_history(callout, by=by, reason=callout.get_answer_display())
        if not available:
            _deputy_called(callout, by, now)
    return callout



def callouts_escalate(*, by: Actor, emergency: Emergency | None = None) -> int:
    """Call the deputies of members who have not answered in time; returns how many."""
    now = _now()
    late = now - datetime.timedelta(minutes=settings.WANGGE_CALLOUT_ANSWER_MINUTES)
    waiting = Callout.objects.in_scope(by.scope_prefixes).filter(
        answer=Answer.WAITING, called_at__lte=late, deputy_called_at__isnull=True,
        released_at__isnull=True, deputy_for__isnull=True, emergency__ended_at__isnull=True,
        member__deputy__isnull=False).select_related(
        "emergency__plan", "member__team", "member__deputy")
    if emergency is not None:
        waiting = waiting.filter(emergency=emergency)
    called = 0
    for callout in waiting:
        with transaction.atomic():
            called += _deputy_called(callout, by, now)
    return called


def emergency_task_done(*, task: EmergencyTask, by: Actor, reason: str) -> EmergencyTask:
    """Mark a task done: its owner, or whoever may command the emergency."""
    reason = stated_reason(reason)
    emergency = task.emergency
    if user_of(by) != task.owner:
        if emergency is None:
            # A drill's improvement task: whoever keeps the plan.
            require(by, Action.EDIT_EMERGENCY_PLANS)
            require_in_scope(by, task.grid_code, "task")
        else:
            _commanded(emergency, by)
    if task.state != TaskState.OPEN or (emergency is not None
                                        and emergency.ended_at is not None):
        raise ValidationError(_("This task is no longer open."))
    with transaction.atomic():
        _task_close(task, TaskState.DONE, by, reason, _now())
        if emergency is not None:
            _step(emergency, StepKind.TASK_DONE, by, f"{task.title}: {reason}")
    return task



# --- drills -----------------------------------------------------------------------------------

def _exercise_told(drill: Drill, by: Actor, wording: str, **values: Any) -> None:
    """Tell the drill's participants, and nobody else, marked as an exercise (the wording's
    msgid starts "[Exercise]", 演练 in Chinese)."""
    notify_about([member.user for member in drill.participants.select_related("user")],
                 kind=CALLOUT, actor=user_of(by), wording=wording,
                 link=reverse("emergency:drill", args=[drill.pk]),
                 values={"plan": drill.plan.name, "level": drill.level, **values})


def drill_schedule(*, plan: Plan, level: str, grids: Iterable[str],
                   scheduled_at: datetime.datetime, participants: Iterable[TeamMember],
                   by: Actor, reason: str) -> Drill:
    """Schedule a tabletop exercise of the plan in force at ``level`` for ``grids``; the
    ``participants`` (members of the level's teams) are told, as an exercise."""
    require(by, Action.EDIT_EMERGENCY_PLANS)
    require_in_scope(by, plan.grid_code, "plan")
    reason = stated_reason(reason)
    version = _version_for(plan, level)
    codes = _grids_checked(plan, grids, by)
    if timezone.is_naive(scheduled_at):
        raise ValidationError({"scheduled_at": _("Give the time with its time zone.")})
    chosen = list(participants)
    teams = set(version.levels[level]["teams"])
    if not chosen or any(member.team_id not in teams or member.left_at is not None
                         for member in chosen):
        raise ValidationError({"participants": _(
            "Choose the participants among the members of the level's teams.")})
    with transaction.atomic():
        drill = save_with_history(Drill(
            plan=plan, version=version, level=level, grids=codes, scheduled_at=scheduled_at,
            scheduled_by=user_of(by), grid_code=plan.grid_code), by=by, reason=reason)
        drill.participants.set(chosen)
        _exercise_told(drill, by, gettext_noop(
            "[Exercise] Drill of %(plan)s, level %(level)s, on %(when)s: you take part. "
            "Nothing real is happening."),
            when=timezone.localtime(scheduled_at).strftime("%Y-%m-%d %H:%M"))
    return drill


def drill_run(*, drill: Drill, by: Actor, reason: str) -> Drill:
    """Run the drill against the live data: its checks, score and gaps are kept, and each
    gap becomes an improvement task (the plan's account owns it; a team's gap names the
    team). The participants are told the score, as an exercise."""
    require(by, Action.EDIT_EMERGENCY_PLANS)
    require_in_scope(by, drill.grid_code, "drill")
    reason = stated_reason(reason)
    with transaction.atomic():
        drill = Drill.objects.select_for_update(of=("self",)).select_related(
            "plan", "version__approver", "version__author").get(pk=drill.pk)
        if drill.state != DrillState.SCHEDULED:
            raise ValidationError(_("This drill has been run: schedule another one to "
                                    "compare with it."))
        now = _now()
        figures = drill_figures(drill, timezone.localdate(now))
        owner = drill.version.approver or drill.version.author or user_of(by)
        names = {key: team.name for key, team in figures.teams.items()}
        categories = category_names()
        gaps = []
        for check in figures.checks:
            if check.short <= 0:
                continue
            team = figures.teams.get(check.key)
            gaps.append({**check.as_data(), "owner": (
                {"team": team.pk, "name": team.name} if team is not None else
                {"account": getattr(owner, "pk", None), "name": str(owner or drill.plan)})})
            if owner is not None:
                title = _("Drill gap: %(what)s, %(available)s of %(required)s %(unit)s") % {
                    "what": check_label(check.key, categories, names),
                    "available": f"{check.available:g}", "required": f"{check.required:g}",
                    "unit": check.unit}
                save_with_history(EmergencyTask(
                    drill=drill, level=drill.level, title=title[:200], owner=owner,
                    due_at=now + datetime.timedelta(
                        days=settings.WANGGE_DRILL_IMPROVEMENT_DAYS),
                    grid_code=drill.grid_code), by=by, reason=_("Found by a drill"))
        drill.result = {"population": figures.population,
                        "needing_help": figures.needing_help,
                        "checks": [check.as_data() for check in figures.checks],
                        "teams": names, "gaps": gaps}
        drill.score = score_of(figures.checks)
        drill.state, drill.ran_at, drill.ran_by = DrillState.RUN, now, user_of(by)
        save_with_history(drill, by=by, reason=reason)
        _exercise_told(drill, by, gettext_noop(
            "[Exercise] Drill of %(plan)s, level %(level)s was run: score %(score)s, "
            "%(gaps)s gaps."), score=str(drill.score), gaps=str(len(gaps)))
    return drill
