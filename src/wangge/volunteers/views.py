"""Pages of volunteers and party members: a resident's /me/volunteer/ (report in, tasks to
sign up for, calls to answer, hours and points, the community's ranking), and the staff's
/volunteers/ (report-ins to confirm, volunteers by skill, tasks and who takes part, calls,
hours, the points rules and the ranking)."""

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from wangge.access.decorators import action_required
from wangge.divisions.selectors import area_name, area_names
from wangge.foundation.forms import refusal_text, service_errors_shown
from wangge.foundation.paging import page_of
from wangge.foundation.permissions import Action
from wangge.foundation.requests import SignedInRequest
from wangge.people.selectors import persons_visible_to
from wangge.residents.selectors import resident_person

from .forms import (
    CallForm,
    CorrectionForm,
    DecideForm,
    HoursForm,
    RankingForm,
    RegisterForm,
    ReportInForm,
    RuleForm,
    TaskForm,
    communities_of,
)
from .models import ParticipationState, RegistrationState, Skill, Task, TaskKind
from .selectors import (
    balance,
    is_community_side,
    ledger_visible_to,
    open_tasks_for,
    own_ledger,
    own_participations,
    own_registration,
    participants_of,
    participations_visible_to,
    phone_shown,
    ranking,
    registrations_decided_by,
    registrations_visible_to,
    tasks_visible_to,
    volunteers_filtered,
)
from .services import (
    call_answer,
    hours_confirm,
    point_rule_set,
    points_correct,
    registration_decide,
    registration_register,
    registration_report_in,
    registration_withdraw,
    rule_of,
    task_call,
    task_cancel,
    task_post,
    task_sign_up,
    task_withdraw,
)

MANAGE, OWN = Action.MANAGE_VOLUNTEERS, Action.VIEW_OWN_RECORD


def year_start() -> datetime.date:
    return timezone.localdate().replace(month=1, day=1)


def _party_choices_only(request: SignedInRequest, form: ReportInForm) -> HttpResponse | None:
    """What the party search field fetches as one types (htmx): the choice alone, not the
    whole page with its tasks, points and ranking."""
    if request.htmx and request.method == "GET" and "party_search" in request.GET:
        return HttpResponse(str(form["party_organization"]))
    return None


# -- a resident's page ---------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@action_required(OWN)
def mine(request: SignedInRequest) -> HttpResponse:
    """Report in (or update it), the tasks taken and called for, the open tasks, the points
    and the community's ranking (names masked)."""
    person = resident_person(request.user)
    registration = own_registration(person)
    initial: dict[str, Any] = {}
    if registration is not None:
        initial = {name: getattr(registration, name) for name in (
            "as_volunteer", "as_party_member", "party_organization", "skills", "skills_text",
            "days", "times")}
    form = ReportInForm(request.POST or None, initial=initial,
                        search=request.GET.get("party_search", ""), path=request.path)
    if (choices := _party_choices_only(request, form)) is not None:
        return choices
    if request.method == "POST" and person is not None and form.is_valid():
        try:
            registration_report_in(by=request.user, **form.details())
        except ValidationError as error:
            service_errors_shown(form, error)
        else:
            messages.success(request, _("Your report-in is kept; the community will confirm "
                                        "it."))
            return redirect("volunteers:mine")
    taken = list(own_participations(person)[:50])
    taken_ids = {p.task_id for p in taken if p.state != ParticipationState.WITHDRAWN}
    code = registration.code if registration is not None else ""
    return render(request, "volunteers/mine.html", {
        "linked": person is not None, "registration": registration, "form": form,
        "participations": taken, "now": timezone.now(),
        "open_tasks": [task for task in open_tasks_for(person)[:50]
                       if task.pk not in taken_ids],
        "balance": balance(person) if person is not None else 0,
        "ledger": list(own_ledger(person)[:20]),
        "ranking": ranking(code, since=year_start()) if code else [],
        "since": year_start()}, status=400 if form.errors else 200)


@require_POST
@action_required(OWN)
def mine_withdraw(request: SignedInRequest) -> HttpResponse:
    try:
        registration_withdraw(by=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, _("Your report-in is withdrawn."))
    return redirect("volunteers:mine")


STEPS = {"sign-up": lambda user, task: task_sign_up(by=user, task=task),
         "withdraw": lambda user, task: task_withdraw(by=user, task=task),
         "accept": lambda user, task: call_answer(by=user, task=task, accept=True),
         "decline": lambda user, task: call_answer(by=user, task=task, accept=False)}


@require_POST
@action_required(OWN)
def mine_task(request: SignedInRequest, pk: int, step: str) -> HttpResponse:
    """Sign up for a task, withdraw, or answer a call: only a task of a community where the
    resident reported in (else 404)."""
    person = resident_person(request.user)
    if step not in STEPS or person is None:
        raise Http404
    task = (Task.objects.filter(pk=pk).filter(
        Q(code=person.grid_code[:12]) | Q(participations__registration__person=person))
        .distinct().first())
    if task is None:
        raise Http404
    try:
        STEPS[step](request.user, task)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, _("Done."))
    return redirect("volunteers:mine")


# -- staff pages ---------------------------------------------------------------------------

@action_required(MANAGE)
def home(request: SignedInRequest) -> HttpResponse:
    """Report-ins of the caller's communities (and of party members of organizations in their
    jurisdiction), waiting first, with filters by state, skill and party membership."""
    state = request.GET.get("state", "")
    skill = request.GET.get("skill", "")
    party = {"yes": True, "no": False}.get(request.GET.get("party", ""))
    if state not in RegistrationState.values:
        state = ""
    if skill not in Skill.values:
        skill = ""
    registrations = page_of(request, volunteers_filtered(
        request.user, state=state, skill=skill, party=party).annotate(
        community_name=area_name("code")))
    for registration in registrations:
        registration.phone_shown = phone_shown(request.user, registration.person)
    return render(request, "volunteers/home.html", {
        "registrations": registrations, "states": RegistrationState.choices,
        "skills": Skill.choices, "state": state, "skill": skill,
        "party": request.GET.get("party", ""),
        "waiting": registrations_decided_by(request.user).filter(
            state=RegistrationState.PENDING).count()})


@require_http_methods(["GET", "POST"])
@action_required(MANAGE)
def register(request: SignedInRequest) -> HttpResponse:
    """Report a person of the registry in on their behalf (confirmed at once)."""
    form = RegisterForm(request.POST or None, search=request.GET.get("party_search", ""),
                        path=request.path)
    if (choices := _party_choices_only(request, form)) is not None:
        return choices
    if request.method == "POST" and form.is_valid():
        person = persons_visible_to(request.user).filter(pk=form.cleaned_data["person"]).first()
        try:
            if person is None:
                raise ValidationError({"person": _("This person is not in your "
                                                   "jurisdiction.")})
            registration = registration_register(by=request.user, person=person,
                                                 **form.details())
        except ValidationError as error:
            service_errors_shown(form, error)
        else:
            messages.success(request, _("%(name)s is reported in and confirmed.")
                             % {"name": person.name})
            return redirect("volunteers:registration", pk=registration.pk)
    return render(request, "volunteers/register.html", {"form": form},
                  status=400 if form.errors else 200)


@action_required(MANAGE)
def registration(request: SignedInRequest, pk: int) -> HttpResponse:
    """One report-in with its history; for the community's side the decision, the person's
    points there and a correction."""
    found = get_object_or_404(registrations_visible_to(request.user), pk=pk)
    community = is_community_side(request.user, found)
    ledger = (ledger_visible_to(request.user).filter(person=found.person, code=found.code)
              if community else None)
    return render(request, "volunteers/registration.html", {
        "registration": found, "phone": phone_shown(request.user, found.person),
        "community_name": area_names([found.code]).get(found.code, found.code),
        "community": community, "history": found.history.select_related(
            "history_user").order_by("-history_date")[:30],
        "ledger": ledger[:50] if ledger is not None else [],
        "balance": balance(found.person, found.code) if community else None,
        "participations": found.participations.select_related("task").order_by(
            "-task__starts_at")[:30] if community else [],
        "decide_form": DecideForm(), "correction_form": CorrectionForm()})


@require_POST
@action_required(MANAGE)
def decide(request: SignedInRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(registrations_decided_by(request.user), pk=pk)
    form = DecideForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors.as_text())
        registration_decide(by=request.user, registration=found,
                            confirm="confirm" in request.POST, note=form.cleaned_data["note"])
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, _("The report-in is %(state)s.")
                         % {"state": found.get_state_display()})
    return redirect("volunteers:registration", pk=found.pk)


@require_POST
@action_required(MANAGE)
def correct(request: SignedInRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(registrations_decided_by(request.user), pk=pk)
    form = CorrectionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors.as_text())
        points_correct(by=request.user, registration=found, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, _("The correction is in the ledger."))
    return redirect("volunteers:registration", pk=found.pk)


@action_required(MANAGE)
def tasks(request: SignedInRequest) -> HttpResponse:
    listed = tasks_visible_to(request.user).order_by("-starts_at", "-pk")
    return render(request, "volunteers/tasks.html", {"tasks": page_of(request, listed),
                                                     "now": timezone.now()})


@require_http_methods(["GET", "POST"])
@action_required(MANAGE)
def task_new(request: SignedInRequest) -> HttpResponse:
    form = TaskForm(request.POST or None, prefixes=request.user.scope_prefixes)
    if request.method == "POST" and form.is_valid():
        try:
            task = task_post(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            service_errors_shown(form, error)
        else:
            messages.success(request, _("The task is posted for the community's volunteers."))
            return redirect("volunteers:task", pk=task.pk)
    return render(request, "volunteers/task_new.html", {"form": form},
                  status=400 if form.errors else 200)


def _call_choices(task: Task, user: Any) -> list[tuple[int, str]]:
    already = task.participations.filter(state__in=[
        ParticipationState.SIGNED_UP, ParticipationState.CALLED]).values("registration")
    confirmed = (registrations_decided_by(user).filter(code=task.code,
                                                       state=RegistrationState.CONFIRMED)
                 .exclude(pk__in=already).order_by("person__name", "pk")[:200])
    wanted = set(task.skills)
    return [(r.pk, r.person.name + (" ★" if wanted & set(r.skills) else ""))
            for r in confirmed]


@action_required(MANAGE)
def task(request: SignedInRequest, pk: int) -> HttpResponse:
    """A task with who takes part (hours to confirm after it), and volunteers to call."""
    found = get_object_or_404(tasks_visible_to(request.user), pk=pk)
    participants = [(participation, phone_shown(request.user, participation.registration.person))
                    for participation in participants_of(found)]
    return render(request, "volunteers/task.html", {
        "task": found, "participants": participants, "now": timezone.now(),
        "call_form": CallForm(choices=_call_choices(found, request.user)),
        "hours_form": HoursForm(), "history": found.history.order_by("-history_date")[:20]})


@require_POST
@action_required(MANAGE)
def call(request: SignedInRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(tasks_visible_to(request.user), pk=pk)
    form = CallForm(request.POST, choices=_call_choices(found, request.user))
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose the volunteers to call."))
        chosen = list(registrations_decided_by(request.user).filter(
            pk__in=form.cleaned_data["registrations"]))
        count = task_call(by=request.user, task=found, registrations=chosen)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, _("%(count)s volunteers were called.") % {"count": count})
    return redirect("volunteers:task", pk=found.pk)


@require_POST
@action_required(MANAGE)
def cancel(request: SignedInRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(tasks_visible_to(request.user), pk=pk)
    try:
        task_cancel(by=request.user, task=found, reason=request.POST.get("reason", "")[:200])
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, _("The task is cancelled."))
    return redirect("volunteers:task", pk=found.pk)


@require_POST
@action_required(MANAGE)
def hours(request: SignedInRequest, pk: int) -> HttpResponse:
    participation = get_object_or_404(participations_visible_to(request.user), pk=pk)
    form = HoursForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors.as_text())
        hours_confirm(by=request.user, participation=participation, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, _("Hours confirmed; the points are in the ledger."))
    return redirect("volunteers:task", pk=participation.task_id)


@require_http_methods(["GET", "POST"])
@action_required(MANAGE)
def rules(request: SignedInRequest) -> HttpResponse:
    """The points rule of each community of the caller's jurisdiction, and setting one."""
    prefixes = request.user.scope_prefixes
    form = RuleForm(request.POST or None, prefixes=prefixes)
    if request.method == "POST" and form.is_valid():
        try:
            point_rule_set(by=request.user, **form.rule())
        except ValidationError as error:
            service_errors_shown(form, error)
        else:
            messages.success(request, _("The rule is set; hours confirmed from now on follow "
                                        "it."))
            return redirect("volunteers:rules")
    communities = [(code, name, rule_of(code)) for code, name in communities_of(prefixes)[:200]]
    return render(request, "volunteers/rules.html", {
        "form": form, "communities": communities, "kinds": dict(TaskKind.choices)},
        status=400 if form.errors else 200)


@action_required(MANAGE)
def ranking_page(request: SignedInRequest) -> HttpResponse:
    """A community's top volunteers by points over a period, names in full (staff)."""
    prefixes = request.user.scope_prefixes
    form = RankingForm(request.GET or None, prefixes=prefixes)
    rows: list[dict[str, Any]] = []
    if form.is_bound and form.is_valid() and form.cleaned_data["code"]:
        data = form.cleaned_data
        rows = ranking(data["code"], since=data["since"], until=data["until"],
                       full_names=True)
    return render(request, "volunteers/ranking.html", {"form": form, "rows": rows})
