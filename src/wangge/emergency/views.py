"""Pages of emergency readiness under /emergency/ (signed in, scoped) and the one-tap answer
to a call (``/emergency/answer/<token>/``, no account: the signed link stands for the person
called)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from wangge.access.decorators import action_required
from wangge.access.models import User
from wangge.divisions.selectors import area_choices, area_names, grids_in
from wangge.foundation.codes import is_within, scope_prefix
from wangge.foundation.forms import refusal_text, service_errors_shown
from wangge.foundation.permissions import Action, can
from wangge.foundation.requests import SignedInRequest
from wangge.notifications.delivery import channel_choices

from .forms import (
    DeclareForm,
    DraftEditor,
    DrillForm,
    LevelForm,
    MemberForm,
    PlanForm,
    ReasonForm,
    RenameForm,
    TeamForm,
    choices_set,
)
from .links import callout_of
from .models import (
    COLOURS,
    RESOURCE_CATEGORIES,
    Callout,
    DrillState,
    Plan,
    Severity,
    TaskState,
    VersionState,
)
from .readiness import (
    SHELTER_PLACES,
    Check,
    category_names,
    check_label,
    compared,
    holdings_compared,
)
from .selectors import (
    accounts_in_reach,
    drills_visible_to,
    emergencies_visible_to,
    emergency_tasks_visible_to,
    may_command,
    member_channels,
    plan_owner_choices,
    plan_versions_visible_to,
    plans_visible_to,
    previous_drill,
    roll_call,
    team_members_visible_to,
    teams_for_plan,
    teams_visible_to,
)
from .services import (
    MAX_HOURS,
    PLAN_NAME_LENGTH,
    callout_answer,
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

VIEW, EDIT = Action.VIEW_EMERGENCIES, Action.EDIT_EMERGENCY_PLANS
DECLARE = Action.DECLARE_EMERGENCIES
# Above this many grids the area lists show divisions alone.
GRID_CHOICES = 300


def _areas(request: SignedInRequest) -> list[tuple[str, str]]:
    return area_choices(request.user.scope_prefixes, grid_limit=GRID_CHOICES)


@action_required(VIEW)
def home(request: SignedInRequest) -> HttpResponse:
    user = request.user
    emergencies = list(emergencies_visible_to(user)[:50])
    plans = list(plans_visible_to(user)[:200])
    teams = list(teams_visible_to(user)[:200])
    names = area_names([*(emergency.grid_code for emergency in emergencies),
                        *(plan.grid_code for plan in plans), *(team.grid_code for team in teams)])
    return render(request, "emergency/home.html", {
        "emergencies": emergencies, "plans": plans, "teams": teams, "names": names,
        "colours": COLOURS, "may_edit": can(user, EDIT), "may_declare": can(user, DECLARE)})


@action_required(EDIT)
@require_http_methods(["GET", "POST"])
def plan_new(request: SignedInRequest) -> HttpResponse:
    form = PlanForm(request.POST or None)
    choices_set(form, "grid_code", [(code, name) for code, name in _areas(request)
                                     if len(code) == 12])
    if request.method == "POST" and form.is_valid():
        try:
            plan = plan_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            service_errors_shown(form, error)
        else:
            return redirect("emergency:plan", plan.pk)
    return render(request, "emergency/form.html", {"form": form, "title": _("New plan")})


@action_required(VIEW)
def plan_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(plans_visible_to(request.user), pk=pk)
    versions = list(plan_versions_visible_to(request.user).filter(plan=plan))
    teams = {team.pk: team for team in teams_visible_to(request.user)}
    owners = {account.pk: account for account in accounts_in_reach(request.user)}
    return render(request, "emergency/plan.html", {
        "plan": plan, "versions": versions, "teams": teams, "owners": owners,
        "colours": COLOURS, "may_edit": can(request.user, EDIT),
        "resource_names": {**category_names(), SHELTER_PLACES: _("Shelter places")},
        "may_approve": can(request.user, Action.APPROVE_EMERGENCY_PLANS),
        "reason_form": ReasonForm(), "rename_form": RenameForm(initial={"name": plan.name})})


def _account_name(account: User) -> str:
    full = account.get_full_name()
    return f"{full} ({account.username})" if full else account.username


@action_required(EDIT)
@require_http_methods(["GET", "POST"])
def plan_draft(request: SignedInRequest, pk: int) -> HttpResponse:
    """The draft as rows per level (actions, teams, resources), prefilled from the latest
    version with two blank rows more of each; the service checks what is filled."""
    plan = get_object_or_404(plans_visible_to(request.user), pk=pk)
    latest = plan.versions.order_by("-number").first()
    levels = latest.levels if latest else {}
    names = {**category_names(), SHELTER_PLACES: _("Shelter places")}
    editor = DraftEditor(
        request.POST if request.method == "POST" else None, levels=levels, colours=COLOURS,
        owners=[(str(account.pk), _account_name(account))
                for account in plan_owner_choices(request.user, plan, levels)],
        teams=[(str(team.pk), team.name) for team in teams_for_plan(plan)],
        categories=[(code, names.get(code, code)) for code in RESOURCE_CATEGORIES])
    if request.method == "POST" and editor.is_valid():
        try:
            plan_version_save(plan=plan, levels=editor.levels(), by=request.user,
                              reason=editor.form.cleaned_data["reason"])
        except ValidationError as error:
            service_errors_shown(editor.form, error)
        else:
            return redirect("emergency:plan", plan.pk)
    return render(request, "emergency/draft.html", {
        "plan": plan, "editor": editor, "latest": latest, "max_hours": MAX_HOURS,
        "title": _("Draft of %(plan)s") % {"plan": plan.name}})


@action_required(EDIT)
@require_POST
def plan_rename_page(request: SignedInRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(plans_visible_to(request.user), pk=pk)
    form = RenameForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Give the new name (at most %(most)s characters) and say "
                                    "why.") % {"most": PLAN_NAME_LENGTH})
        plan_rename(plan=plan, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, refusal_text(error))
    return redirect("emergency:plan", plan.pk)


@action_required(Action.APPROVE_EMERGENCY_PLANS)
@require_POST
def version_approve(request: SignedInRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(plan_versions_visible_to(request.user), pk=pk,
                                state=VersionState.DRAFT)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Say why."))
        plan_version_approve(version=version, by=request.user,
                             reason=form.cleaned_data["reason"])
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    return redirect("emergency:plan", version.plan_id)


@action_required(EDIT)
@require_http_methods(["GET", "POST"])
def team_new(request: SignedInRequest) -> HttpResponse:
    form = TeamForm(request.POST or None)
    choices_set(form, "grid_code", _areas(request))
    if request.method == "POST" and form.is_valid():
        try:
            team = team_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            service_errors_shown(form, error)
        else:
            return redirect("emergency:team", team.pk)
    return render(request, "emergency/form.html", {"form": form, "title": _("New team")})


@action_required(VIEW)
@require_http_methods(["GET", "POST"])
def team_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    team = get_object_or_404(teams_visible_to(request.user), pk=pk)
    may_edit = can(request.user, EDIT)
    accounts = {str(account.pk): account for account in accounts_in_reach(request.user)}
    form = MemberForm(request.POST or None)
    people = [(pk, str(account)) for pk, account in accounts.items()]
    choices_set(form, "user", people)
    choices_set(form, "deputy", [("", "—"), *people])
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                team_member_save(
                    team=team, user=accounts[data["user"]],
                    deputy=accounts.get(data["deputy"]), reason=data["reason"],
                    skills=data["skills"].replace("，", ",").split(","),
                    duty_days=[int(day) for day in data["duty_days"]], by=request.user)
            except ValidationError as error:
                service_errors_shown(form, error)
            else:
                return redirect("emergency:team", team.pk)
    labels = dict(channel_choices())
    on_team = team_members_visible_to(request.user).filter(team=team)
    members = [(member, [labels.get(name, name) for name in member_channels(member)])
               for member in on_team.current()]
    return render(request, "emergency/team.html", {
        "team": team, "members": members, "form": form if may_edit else None,
        "former": on_team.former().order_by("-left_at"), "reason_form": ReasonForm(),
        "names": area_names([team.grid_code])})


@action_required(EDIT)
@require_POST
def team_member_remove_page(request: SignedInRequest, pk: int, member: int) -> HttpResponse:
    """Take a member off the team (the record stays, listed with the former members)."""
    team = get_object_or_404(teams_visible_to(request.user), pk=pk)
    leaving = get_object_or_404(team_members_visible_to(request.user).current(), team=team,
                                pk=member)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Say why they leave the team."))
        team_member_remove(member=leaving, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, refusal_text(error))
    return redirect("emergency:team", team.pk)


def _plans_and_grids(request: SignedInRequest, form: DeclareForm | DrillForm
                     ) -> dict[str, Plan]:
    """Offer the caller's plans in force and the grids (of the chosen plan's area)."""
    plans = {str(plan.pk): plan for plan in plans_visible_to(request.user).filter(
        versions__state=VersionState.IN_FORCE)}
    choices_set(form, "plan", [(pk, plan.name) for pk, plan in plans.items()])
    grids = grids_in(request.user.scope_prefixes).order_by("code")
    chosen = plans.get(request.POST.get("plan") or request.GET.get("plan", ""))
    if chosen is not None:
        grids = grids.filter(code__startswith=scope_prefix(chosen.grid_code))
    choices_set(form, "grids", list(grids.values_list("code", "name")[:GRID_CHOICES]))
    return plans


@action_required(DECLARE)
@require_http_methods(["GET", "POST"])
def declare(request: SignedInRequest) -> HttpResponse:
    form = DeclareForm(request.POST or None, initial={"level": Severity.LEVEL_IV})
    plans = _plans_and_grids(request, form)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            emergency = emergency_declare(plan=plans[data["plan"]], level=data["level"],
                                          grids=data["grids"], by=request.user,
                                          reason=data["reason"])
        except ValidationError as error:
            service_errors_shown(form, error)
        else:
            return redirect("emergency:roll_call", emergency.pk)
    return render(request, "emergency/form.html", {"form": form, "title": _("Declare an "
                                                                            "emergency")})


@action_required(VIEW)
def record(request: SignedInRequest, pk: int) -> HttpResponse:
    """The record of the whole response: level, grids, requirements, tasks, calls, steps."""
    emergency = get_object_or_404(emergencies_visible_to(request.user), pk=pk)
    holdings = holdings_compared(emergency.requirements, scope_prefix(emergency.plan.grid_code),
                                 timezone.localdate())
    return render(request, "emergency/record.html", {
        "emergency": emergency, "names": area_names(emergency.grids),
        "holdings": _rows([check.as_data() for check in holdings], {}, {}),
        "tasks": emergency.tasks.select_related("owner"),
        "callouts": emergency.callouts.select_related("user", "member__team"),
        "steps": emergency.steps.all(), "may_command": may_command(request.user, emergency),
        "level_form": LevelForm(initial={"level": emergency.level}),
        "reason_form": ReasonForm(), "open": TaskState.OPEN})


@action_required(DECLARE)
@require_POST
def change_level(request: SignedInRequest, pk: int) -> HttpResponse:
    emergency = get_object_or_404(emergencies_visible_to(request.user), pk=pk)
    form = LevelForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose a level and say why."))
        emergency_change_level(emergency=emergency, level=form.cleaned_data["level"],
                               by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, refusal_text(error))
    return redirect("emergency:record", emergency.pk)


@action_required(DECLARE)
@require_POST
def end(request: SignedInRequest, pk: int) -> HttpResponse:
    emergency = get_object_or_404(emergencies_visible_to(request.user), pk=pk)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Say why the emergency ends."))
        emergency_end(emergency=emergency, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, refusal_text(error))
    return redirect("emergency:record", emergency.pk)


@action_required(VIEW)
def roll_call_page(request: SignedInRequest, pk: int) -> HttpResponse:
    """The live roll-call; htmx polls it for its partial. Looking writes nothing: the
    deputies of members late to answer are called by `wangge callouts` (every minute), or
    at once by a commander (``roll_call_deputies``)."""
    emergency = get_object_or_404(emergencies_visible_to(request.user), pk=pk)
    template = "emergency/roll_call.html"
    if getattr(request, "htmx", False):
        template += "#roll-call"
    return render(request, template, {"emergency": emergency, "call": roll_call(emergency),
                                      "names": area_names(emergency.grids),
                                      "may_command": may_command(request.user, emergency)})


@action_required(Action.DECLARE_EMERGENCIES)
@require_POST
def roll_call_deputies(request: SignedInRequest, pk: int) -> HttpResponse:
    """Call now the deputies of members who have not answered in time."""
    emergency = get_object_or_404(emergencies_visible_to(request.user), pk=pk)
    if not may_command(request.user, emergency):
        raise PermissionDenied
    if emergency.ended_at is None:
        called = callouts_escalate(by=request.user, emergency=emergency)
        messages.success(request, ngettext("%(count)d deputy called.",
                                           "%(count)d deputies called.", called)
                         % {"count": called})
    return redirect("emergency:roll_call", emergency.pk)


@action_required(VIEW)
@require_POST
def task_done(request: SignedInRequest, pk: int) -> HttpResponse:
    # The owner's own task needs no jurisdiction; anyone else's is read through the scope.
    task = get_object_or_404(emergency_tasks_visible_to(request.user), pk=pk)
    form = ReasonForm(request.POST)
    try:
        emergency_task_done(task=task, by=request.user,
                            reason=form.data.get("reason", "") or _("Done"))
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    if task.owner_id == request.user.pk:
        return redirect("web:home")
    if task.drill_id is not None:
        return redirect("emergency:drill", task.drill_id)
    return redirect("emergency:record", task.emergency_id)


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """One tap: available or unavailable. A GET only shows the call (a link preview must
    not answer for the person)."""
    pk = callout_of(token)
    callout = (Callout.objects.select_related("emergency__plan", "member__team", "user")
               .filter(pk=pk).first() if pk is not None else None)
    if callout is None:
        raise Http404
    error = ""
    if request.method == "POST":
        choice = request.POST.get("answer", "")
        try:
            if choice not in ("available", "unavailable"):
                raise ValidationError(_("Choose available or unavailable."))
            callout_answer(callout=callout, available=choice == "available", by=callout.user)
        except ValidationError as refusal:
            error = refusal_text(refusal)
    context: dict[str, Any] = {"callout": callout, "token": token, "error": error,
                               "colours": COLOURS}
    return render(request, "emergency/answer.html", context, status=400 if error else 200)


# --- drills -----------------------------------------------------------------------------------

def _rows(checks: list[dict[str, Any]], teams: dict[str, str], changes: dict[str, str]
          ) -> list[dict[str, Any]]:
    """Checks as the pages show them: what, required, available, short, and the change."""
    names = category_names()
    return [{**data, "what": check_label(data["key"], names, teams),
             "short": Check(**data).short, "change": changes.get(data["key"], "")}
            for data in checks]


@action_required(VIEW)
def drills(request: SignedInRequest) -> HttpResponse:
    return render(request, "emergency/drills.html", {
        "drills": drills_visible_to(request.user)[:200], "may_edit": can(request.user, EDIT)})


@action_required(EDIT)
@require_http_methods(["GET", "POST"])
def drill_new(request: SignedInRequest) -> HttpResponse:
    form = DrillForm(request.POST or None, initial={"level": Severity.LEVEL_IV})
    plans = _plans_and_grids(request, form)
    members = {str(member.pk): member
               for member in team_members_visible_to(request.user).current()}
    choices_set(form, "participants", [(pk, f"{member.user} · {member.team.name}")
                                       for pk, member in members.items()])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            drill = drill_schedule(
                plan=plans[data["plan"]], level=data["level"], grids=data["grids"],
                scheduled_at=data["scheduled_at"], by=request.user, reason=data["reason"],
                participants=[members[pk] for pk in data["participants"]])
        except ValidationError as error:
            service_errors_shown(form, error)
        else:
            return redirect("emergency:drill", drill.pk)
    return render(request, "emergency/form.html", {"form": form,
                                                   "title": _("Schedule a drill")})


@login_required
def drill_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    """A drill: what it exercises, and once run its checks against the previous drill of
    the plan, its score and its gaps with their improvement tasks. Participants see their
    own drill without the view action (their exercise message links here)."""
    drill = get_object_or_404(drills_visible_to(request.user), pk=pk)
    previous = previous_drill(drill)
    checks = drill.result.get("checks", [])
    changes = compared(checks, previous.result.get("checks", [])) if previous else {}
    teams = drill.result.get("teams", {})
    return render(request, "emergency/drill.html", {
        "drill": drill, "previous": previous, "names": area_names(drill.grids),
        "checks": _rows(checks, teams, changes),
        "gaps": _rows([{key: gap[key] for key in ("key", "required", "available", "unit")}
                       for gap in drill.result.get("gaps", [])], teams, {}),
        "owners": [gap["owner"]["name"] for gap in drill.result.get("gaps", [])],
        "participants": drill.participants.select_related("user", "team"),
        "tasks": drill.tasks.select_related("owner"), "colours": COLOURS,
        "may_run": (drill.state == DrillState.SCHEDULED and can(request.user, EDIT)
                    and is_within(drill.grid_code, request.user.scope_prefixes)),
        "reason_form": ReasonForm()})


@action_required(EDIT)
@require_POST
def drill_run_page(request: SignedInRequest, pk: int) -> HttpResponse:
    drill = get_object_or_404(drills_visible_to(request.user), pk=pk)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Say why."))
        drill_run(drill=drill, by=request.user, reason=form.cleaned_data["reason"])
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    return redirect("emergency:drill", drill.pk)
