"""Pages of lawful measures.

Staff (``/measures/``): the list with its filters, the proposal form (a draft, or sent for
approval at once), a measure's page with its steps and the actions its state allows (send,
approve, refuse, extend, lift), and the appeals queue (overdue first). The person
(``/measures/notice/<token>/``, no account): the link a grid worker sends; after the last four
characters of their ID, their measure, its basis, end and appeal channel, and an appeal form.
"""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from wangge.access.decorators import action_required
from wangge.access.models import User
from wangge.auditlog.models import Kind, Purpose
from wangge.auditlog.services import access_record, purpose_text
from wangge.divisions.selectors import area_names
from wangge.foundation.actors import system_actor
from wangge.foundation.forms import refusal_text, service_errors_shown
from wangge.foundation.limits import client_over_limit, remember_client
from wangge.foundation.paging import page_of
from wangge.foundation.permissions import Action, can
from wangge.foundation.requests import SignedInRequest
from wangge.normalisers.text import fold_width
from wangge.organizations.models import Organization
from wangge.people.selectors import persons_visible_to
from wangge.places.selectors import buildings_visible_to

from .forms import AnswerForm, AppealForm, ConfirmForm, ExtendForm, ProposalForm, ReasonForm
from .links import measure_of, notice_token, seen_measure, seen_token
from .models import (
    PERSON_STEPS,
    AppealState,
    LegalBasis,
    Measure,
    MeasureKind,
    MeasureState,
)
from .selectors import (
    appeal_queue,
    appeals_visible_to,
    measure_shown,
    measures_filtered,
    measures_visible_to,
    sees_health,
)
from .services import (
    appeal_answer,
    appeal_file,
    measure_approve,
    measure_extend,
    measure_lift,
    measure_propose,
    measure_refuse,
    measure_submit,
    measure_update,
    missing,
)

VIEW, PROPOSE = Action.VIEW_MEASURES, Action.PROPOSE_MEASURES


def _logged(request: SignedInRequest, measures: list[Measure], kind: Kind) -> None:
    """A read of measures' health data (their reasons) unmasked is logged."""
    persons = [measure.person_id for measure in measures if measure.person_id is not None]
    if persons and sees_health(request.user):
        access_record(by=request.user, kind=kind, request=request, fields=["health_status"],
                      record_ids=persons, target="measures",
                      purpose=purpose_text(Purpose.HEALTH))


@action_required(VIEW)
def measure_list(request: SignedInRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    kind = request.GET.get("kind", "")
    state = state if state in MeasureState.values else ""
    kind = kind if kind in MeasureKind.values else ""
    waiting = request.GET.get("waiting") == "1"
    measures = page_of(request, measures_filtered(request.user, state=state, kind=kind,
                                                  waiting_for_me=waiting))
    names = area_names(measure.grid_code for measure in measures)
    return render(request, "measures/list.html", {
        "measures": measures, "names": names, "state": state, "kind": kind,
        "waiting": waiting, "states": MeasureState.choices, "kinds": MeasureKind.choices,
        "may_propose": can(request.user, PROPOSE),
        "may_approve": can(request.user, Action.APPROVE_MEASURES),
        "overdue": appeal_queue(request.user).filter(due_at__lt=timezone.now()).count()})


def _subject(request: SignedInRequest) -> dict[str, Any]:
    """The person or building a new measure is for (``?person=`` or ``?building=``)."""
    for name, selector in (("person", persons_visible_to), ("building", buildings_visible_to)):
        value = request.GET.get(name, "")
        if value:
            if not value.isdigit() or len(value) > 18:
                raise Http404
            return {name: get_object_or_404(selector(request.user), pk=int(value))}
    raise Http404


def _fields(form: ProposalForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data.pop("kind"), data.pop("submit")
    lookups: dict[str, Any] = {"legal_basis": LegalBasis.objects, "authority":
                               Organization.objects, "responsible": User.objects}
    for name, manager in lookups.items():
        data[name] = manager.filter(pk=data[name]).first() if data[name] else None
    return data


@action_required(PROPOSE)
@require_http_methods(["GET", "POST"])
def propose(request: SignedInRequest) -> HttpResponse:
    subject = _subject(request)
    record = subject.get("person") or subject["building"]
    initial = {"kind": "building_control" if "building" in subject else "home_monitoring",
               "starts_on": timezone.localdate()}
    form = ProposalForm(request.POST or None, user=request.user,
                        grid_code=record.grid_code, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            measure = measure_propose(kind=form.cleaned_data["kind"], by=request.user,
                                      submit=form.cleaned_data["submit"], **subject,
                                      **_fields(form))
        except ValidationError as error:
            service_errors_shown(form, error)
        else:
            return redirect("measures:detail", measure.pk)
    return render(request, "measures/propose.html", {"form": form, "record": record})


@action_required(PROPOSE)
@require_http_methods(["GET", "POST"])
def edit(request: SignedInRequest, pk: int) -> HttpResponse:
    measure = get_object_or_404(measures_visible_to(request.user), pk=pk)
    if measure.state != MeasureState.DRAFT:
        return redirect("measures:detail", measure.pk)
    initial = {name: getattr(measure, name) for name in (
        "kind", "cause", "starts_on", "ends_on", "notified_at", "food", "medicine",
        "dependants_care", "appeal_channel")}
    initial.update(legal_basis=measure.legal_basis_id, authority=measure.authority_id,
                   responsible=measure.responsible_id)
    form = ProposalForm(request.POST or None, user=request.user, grid_code=measure.grid_code,
                        initial=initial)
    form.fields["kind"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            submit = form.cleaned_data["submit"]
            measure_update(measure=measure, by=request.user, reason=_("Draft completed"),
                           **_fields(form))
            if submit:
                measure_submit(measure=measure, by=request.user)
        except ValidationError as error:
            service_errors_shown(form, error)
        else:
            return redirect("measures:detail", measure.pk)
    return render(request, "measures/propose.html", {
        "form": form, "record": measure.person or measure.building, "measure": measure})


@action_required(VIEW)
def detail(request: SignedInRequest, pk: int) -> HttpResponse:
    measure = get_object_or_404(measures_visible_to(request.user), pk=pk)
    _logged(request, [measure], Kind.VIEW)
    user = request.user
    link = ""
    if measure.person_id is not None and measure.state in (
            MeasureState.PENDING, MeasureState.ACTIVE) and (
            can(user, PROPOSE) or measure.responsible_id == user.pk):
        link = request.build_absolute_uri(reverse("measures:notice",
                                                  args=[notice_token(measure.pk)]))
    return render(request, "measures/detail.html", {
        "measure": measure, "shown": measure_shown(user, measure),
        "steps": measure.steps.select_related("actor"),
        "appeals": measure.appeals.order_by("-filed_at"),
        "lacking": missing(measure) if measure.state == MeasureState.DRAFT else {},
        "area": area_names([measure.grid_code]).get(measure.grid_code, ""),
        "may_propose": can(user, PROPOSE), "may_approve": can(user, Action.APPROVE_MEASURES),
        "reason_form": ReasonForm(), "extend_form": ExtendForm(), "link": link,
        "extension_waits": measure.extension_ends_on is not None})


def _act(request: SignedInRequest, pk: int, action: Any, form_class: type = ReasonForm
         ) -> HttpResponse:
    measure = get_object_or_404(measures_visible_to(request.user), pk=pk)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for errors in form.errors.values()
                                         for error in errors))
        return redirect("measures:detail", measure.pk)
    try:
        action(measure=measure, by=request.user, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, _("Saved."))
    return redirect("measures:detail", measure.pk)


@require_POST
@action_required(PROPOSE)
def submit(request: SignedInRequest, pk: int) -> HttpResponse:
    measure = get_object_or_404(measures_visible_to(request.user), pk=pk)
    try:
        measure_submit(measure=measure, by=request.user)
    except ValidationError as error:
        messages.error(request, refusal_text(error))
    return redirect("measures:detail", measure.pk)


@require_POST
@action_required(Action.APPROVE_MEASURES)
def approve(request: SignedInRequest, pk: int) -> HttpResponse:
    return _act(request, pk, measure_approve)


@require_POST
@action_required(Action.APPROVE_MEASURES)
def refuse(request: SignedInRequest, pk: int) -> HttpResponse:
    return _act(request, pk, measure_refuse)


@require_POST
@action_required(PROPOSE)
def extend(request: SignedInRequest, pk: int) -> HttpResponse:
    return _act(request, pk, measure_extend, ExtendForm)


@require_POST
@action_required(PROPOSE)
def lift(request: SignedInRequest, pk: int) -> HttpResponse:
    return _act(request, pk, measure_lift)


# --- appeals ---------------------------------------------------------------------------------

@action_required(VIEW)
def appeals(request: SignedInRequest) -> HttpResponse:
    now = timezone.now()
    queue = page_of(request, appeal_queue(request.user))
    _logged(request, [appeal.measure for appeal in queue], Kind.LIST)
    return render(request, "measures/appeals.html", {"appeals": queue, "now": now})


@action_required(VIEW)
@require_http_methods(["GET", "POST"])
def appeal(request: SignedInRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(appeals_visible_to(request.user), pk=pk)
    form = AnswerForm(request.POST or None)
    if request.method == "POST":
        if not can(request.user, PROPOSE):
            raise PermissionDenied
        if form.is_valid():
            try:
                appeal_answer(appeal=found, by=request.user, **form.cleaned_data)
            except PermissionDenied as error:
                form.add_error(None, refusal_text(error))
            except ValidationError as error:
                service_errors_shown(form, error)
            else:
                return redirect("measures:appeals")
    _logged(request, [found.measure], Kind.VIEW)
    return render(request, "measures/appeal.html", {
        "appeal": found, "form": form, "measure": found.measure,
        "shown": measure_shown(request.user, found.measure),
        "overdue": found.state == AppealState.OPEN and found.due_at < timezone.now(),
        "may_answer": can(request.user, PROPOSE) and found.state == AppealState.OPEN})


# --- the person's own page ----------------------------------------------------------------------

def _noticed(token: str) -> Measure:
    pk = measure_of(token)
    measure = (Measure.objects.select_related("person", "legal_basis", "authority")
               .filter(pk=pk, person__isnull=False).first() if pk is not None else None)
    if measure is None:
        raise Http404
    return measure


def _confirmed(measure: Measure, last_four: str) -> bool:
    number = (measure.person.id_number or "").upper() if measure.person else ""
    return bool(number) and number.endswith(fold_width(last_four).strip().upper())


def _notice_page(request: HttpRequest, measure: Measure, **context: Any) -> HttpResponse:
    status = context.pop("status", 200)
    steps = measure.steps.filter(kind__in=PERSON_STEPS)
    appeal_open = measure.appeals.filter(state=AppealState.OPEN).first()
    return render(request, "measures/notice.html", {
        "measure": measure, "steps": steps, "appeal_open": appeal_open,
        "answered": measure.appeals.exclude(state=AppealState.OPEN).order_by("-answered_at"),
        "may_appeal": measure.state in (MeasureState.ACTIVE, MeasureState.PENDING)
        and appeal_open is None, **context}, status=status)


@require_http_methods(["GET", "POST"])
def notice(request: HttpRequest, token: str) -> HttpResponse:
    """The person's measure, once they give the last four characters of their ID."""
    measure = _noticed(token)
    form = ConfirmForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if client_over_limit(request, "measures.confirm",
                             rate=settings.WANGGE_CHECKIN_IDENTIFY_RATE,
                             network_rate=settings.WANGGE_CHECKIN_IDENTIFY_IP_RATE):
            form.add_error(None, _("Too many tries from this phone or network just now. "
                                   "Please try again later, or ask your grid worker."))
            status = 429
        elif form.is_valid() and _confirmed(measure, form.cleaned_data["last_four"]):
            response = _notice_page(request, measure, appeal_form=AppealForm(
                initial={"seen": seen_token(measure.pk)}), token=token)
            return remember_client(request, response)
        elif form.is_valid():
            form.add_error("last_four", _("These are not the last four characters of the ID "
                                          "number this notice was sent for."))
    return remember_client(request, render(request, "measures/confirm.html", {
        "form": form}, status=status))


@require_POST
def notice_appeal(request: HttpRequest, token: str) -> HttpResponse:
    measure = _noticed(token)
    form = AppealForm(request.POST)
    if not form.is_valid() or seen_measure(form.cleaned_data["seen"]) != measure.pk:
        if form.is_valid():
            return redirect("measures:notice", token)
        return _notice_page(request, measure, appeal_form=form, token=token, status=400)
    try:
        appeal_file(measure=measure, text=form.cleaned_data["text"],
                    contact=form.cleaned_data["contact"],
                    by=system_actor("a person's appeal", scope_prefixes=(measure.grid_code,)))
    except ValidationError as error:
        service_errors_shown(form, error)
        return _notice_page(request, measure, appeal_form=form, token=token, status=400)
    return _notice_page(request, measure, token=token, filed=True)
