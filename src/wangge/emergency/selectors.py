"""Reads of emergency readiness, always through the caller's jurisdiction: plans, teams,
emergencies, the roll-call of an emergency, and the open tasks a person owns (their to-do)."""

import datetime
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from wangge.access.models import User
from wangge.foundation.codes import is_within, parent_code, prefix_range, scope_prefix
from wangge.foundation.permissions import Action, can
from wangge.notifications.delivery import INBOX, channels, preference_of, wanted_kinds
from wangge.notifications.models import CALLOUT

from .models import (
    Answer,
    Callout,
    Drill,
    Emergency,
    EmergencyTask,
    Plan,
    PlanVersion,
    TaskState,
    Team,
    TeamMember,
    TeamMemberQuerySet,
)


def plans_visible_to(user: User) -> QuerySet[Plan]:
    if not can(user, Action.VIEW_EMERGENCIES):
        return Plan.objects.none()
    return Plan.objects.in_scope(user.scope_prefixes)


def plan_versions_visible_to(user: User) -> QuerySet[PlanVersion]:
    if not can(user, Action.VIEW_EMERGENCIES):
        return PlanVersion.objects.none()
    return PlanVersion.objects.in_scope(user.scope_prefixes).select_related(
        "plan", "author", "approver")


def teams_visible_to(user: User) -> QuerySet[Team]:
    if not can(user, Action.VIEW_EMERGENCIES):
        return Team.objects.none()
    return Team.objects.in_scope(user.scope_prefixes)


def team_members_visible_to(user: User) -> TeamMemberQuerySet:
    """Members of the caller's teams, current and former (``.current()`` narrows)."""
    if not can(user, Action.VIEW_EMERGENCIES):
        return TeamMember.objects.none()
    # in_scope is typed as the base ScopedQuerySet; the manager's queryset is this one.
    return cast(TeamMemberQuerySet, TeamMember.objects.in_scope(user.scope_prefixes)
                .select_related("team", "user", "deputy"))


def emergencies_visible_to(user: User) -> QuerySet[Emergency]:
    if not can(user, Action.VIEW_EMERGENCIES):
        return Emergency.objects.none()
    return Emergency.objects.in_scope(user.scope_prefixes).select_related(
        "plan", "version", "declared_by")


def may_command(user: User, emergency: Emergency) -> bool:
    """Whether ``user`` may change the level of ``emergency``, end it, or mark its tasks."""
    return (can(user, Action.DECLARE_EMERGENCIES) and emergency.ended_at is None
            and is_within(emergency.grid_code, user.scope_prefixes))


def emergency_tasks_of(user: User) -> QuerySet[EmergencyTask]:
    """The open tasks ``user`` owns in emergencies under way and the improvement tasks of
    drills, soonest deadline first (their own: no jurisdiction needed to see what they were
    given)."""
    return EmergencyTask.objects.filter(
        Q(emergency__isnull=False, emergency__ended_at__isnull=True) | Q(drill__isnull=False),
        owner=user, state=TaskState.OPEN).select_related(
        "emergency__plan", "drill__plan").order_by("due_at", "pk")


@dataclass
class RollCall:
    """Who was called for an emergency (calls still counting, a deputy's after the call it
    stands in for) and how many answered each way."""

    callouts: list[Callout]
    available: int
    unavailable: int
    waiting: int
    late: int = 0


def roll_call(emergency: Emergency) -> RollCall:
    """Who was called and how they answered; ``late``: members waiting past the answer time
    whose deputy is not called yet (`wangge callouts` calls them, or a commander at once)."""
    callouts = list(emergency.callouts.filter(released_at__isnull=True).select_related(
        "user", "member__team", "member__deputy", "deputy_for").order_by(
        "member__team__name", "called_at", "pk"))
    count = {answer: sum(callout.answer == answer for callout in callouts)
             for answer in Answer.values}
    late_after = timezone.now() - datetime.timedelta(
        minutes=settings.WANGGE_CALLOUT_ANSWER_MINUTES)
    late = sum(callout.answer == Answer.WAITING and callout.called_at <= late_after
               and callout.deputy_called_at is None and callout.deputy_for_id is None
               and callout.member.deputy_id is not None for callout in callouts)
    return RollCall(callouts, count[Answer.AVAILABLE], count[Answer.UNAVAILABLE],
                    count[Answer.WAITING], late)


def member_channels(member: TeamMember) -> list[str]:
    """The channels a call reaches the member on (their notification preferences)."""
    preference = preference_of(member.user)
    return [INBOX, *[name for name, channel in channels().items()
                     if CALLOUT in wanted_kinds(preference, name)
                     and channel.reachable(preference)]]


def accounts_in_reach(user: User) -> QuerySet[User]:
    """Active accounts answering for a code in ``user``'s jurisdiction: those a plan's owner
    or a team member may be chosen from."""
    condition = Q(pk__in=[])
    for prefix in user.scope_prefixes:
        if not prefix:
            return User.objects.filter(is_active=True).order_by("username")
        condition |= prefix_range("jurisdictions__code", prefix)
    return User.objects.filter(condition, is_active=True).distinct().order_by("username")


def drills_visible_to(user: User) -> QuerySet[Drill]:
    """Drills of the caller's jurisdiction, and those the caller takes part in (their
    exercise message links here; a drill holds totals, never a resident's data)."""
    own = Drill.objects.filter(participants__user=user)
    if not can(user, Action.VIEW_EMERGENCIES):
        return own.select_related("plan", "version")
    return (Drill.objects.in_scope(user.scope_prefixes) | own).distinct().select_related(
        "plan", "version")


def previous_drill(drill: Drill) -> Drill | None:
    """The drill of the same plan run before this one: the one its result is compared with."""
    if drill.ran_at is None:
        return None
    return Drill.objects.filter(plan_id=drill.plan_id, ran_at__lt=drill.ran_at).order_by(
        "-ran_at").first()


def emergency_tasks_visible_to(user: User) -> QuerySet[EmergencyTask]:
    """Tasks of emergencies and drills of the caller's jurisdiction (filed under the plan's
    code), and the caller's own tasks wherever they are."""
    own = EmergencyTask.objects.filter(owner=user)
    if can(user, Action.VIEW_EMERGENCIES):
        own = (EmergencyTask.objects.in_scope(user.scope_prefixes) | own).distinct()
    return own.select_related("emergency", "drill")


def _around(plan: Plan, field: str = "grid_code") -> Q:
    """``field`` (a code) inside the plan's area or one of the divisions containing it: where a
    plan's teams and owners may come from (a street's medical team serves its communities)."""
    containing, code = [], parent_code(plan.grid_code)
    while code is not None:
        containing.append(code)
        code = parent_code(code)
    return (prefix_range(field, scope_prefix(plan.grid_code))
            | Q(**{f"{field}__in": containing}))


def teams_for_plan(plan: Plan) -> QuerySet[Team]:
    """The teams a plan may mobilize, by name: of its area or of an area containing it (the
    rule ``services.levels_checked`` applies). Teams hold no one's data."""
    return Team.objects.filter(_around(plan)).order_by("name", "pk")


def plan_owner_choices(user: User, plan: Plan, levels: dict[str, Any]) -> list[User]:
    """The accounts ``user`` may name as owners of the plan's actions: those in reach
    answering for the plan's area or an area containing it, and the owners the plan's
    ``levels`` already name (kept when someone with a narrower jurisdiction edits it)."""
    owners = {row["owner"] for content in levels.values() if isinstance(content, dict)
              for row in content.get("actions", []) if isinstance(row, dict)
              and isinstance(row.get("owner"), int)}
    chosen = accounts_in_reach(user).filter(_around(plan, "jurisdictions__code"))
    named = User.objects.filter(pk__in=owners, is_active=True)
    return sorted({*chosen, *named}, key=lambda account: (account.get_full_name()
                                                          or account.username, account.pk))
