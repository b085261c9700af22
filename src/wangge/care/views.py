"""The care pages, for a phone: the visits due and overdue in one's grids, and the
one-screen visit form. Reads go through the scoped selectors (a person outside the
jurisdiction is 404), writes through the services."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wangge.access.decorators import action_required
from wangge.divisions.selectors import with_area_names
from wangge.events.models import Channel
from wangge.events.workflow import is_handler
from wangge.foundation.actors import system_actor
from wangge.foundation.forms import refusal_text, service_errors_shown
from wangge.foundation.permissions import Action, SensitiveField, can, sees_unmasked
from wangge.foundation.requests import SignedInRequest
from wangge.people.selectors import persons_visible_to
from wangge.populations.selectors import sees_circumstances
from wangge.residents.selectors import resident_person

from .forms import (
    AppointmentForm,
    DeliveryForm,
    FollowUpForm,
    MedicalRequestForm,
    VisitForm,
)
from .medical import (
    medical_appointment_set,
    medical_delivery_arrange,
    medical_delivery_confirm,
    medical_follow_up_set,
    medical_request_file,
)
from .models import MedicalRequest, Outcome
from .selectors import (
    medical_queue,
    medical_requests_visible_to,
    rule_label,
    visit_due_for,
    visits_due,
    visits_visible_to,
)
from .services import care_visit_record

# The visits a person has had, shown under the form.
RECENT_VISITS = 5
# The requests a queue shows at once, first served first.
QUEUE_SIZE = 100


def _require_circumstances(request: SignedInRequest) -> None:
    """A role that sees vulnerable groups masked never sees who is due a visit (403)."""
    if not sees_circumstances(request.user):
        raise PermissionDenied


@action_required(Action.VIEW_PEOPLE)
def visits_due_page(request: SignedInRequest) -> HttpResponse:
    """Overdue first, then due today: each with where they live, the rule, the last visit,
    and a button to the visit form."""
    _require_circumstances(request)
    due = visits_due(request.user)
    with_area_names([entry.person for entry in due])
    rows: list[dict[str, Any]] = [{"due": entry, "rule": rule_label(entry.rule)} for entry in due]
    return render(request, "care/visits.html", {
        "overdue": [row for row in rows if row["due"].overdue],
        "today": [row for row in rows if not row["due"].overdue],
        "may_visit": can(request.user, Action.EDIT_PEOPLE)})


@action_required(Action.EDIT_PEOPLE)
def visit_page(request: SignedInRequest, person: int) -> HttpResponse:
    """Record a visit to one person: how it went and a note; "needs help" reports an
    event at once."""
    _require_circumstances(request)
    found = get_object_or_404(persons_visible_to(request.user).select_related(
        "dwelling__building"), pk=person)
    rules = visit_due_for(request.user, found)
    if not rules:
        raise Http404  # under no visit rule: there is no visit to record
    form = VisitForm(request.POST or None, rules=rules)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visit = care_visit_record(person=found, rule=data["rule"], outcome=data["outcome"],
                                      note=data["note"], by=request.user)
        except PermissionDenied as error:
            messages.error(request, refusal_text(error))
            return redirect("care:visits")
        except ValidationError as error:
            service_errors_shown(form, error)
        else:
            if visit.event is not None:
                messages.success(request, _("Visit recorded. Reported as %(number)s: it is "
                                            "in the to-do list.")
                                 % {"number": visit.event.number})
            else:
                messages.success(request, _("Visit to %(name)s recorded.")
                                 % {"name": found.name})
            return redirect("care:visits")
    return render(request, "care/visit.html", {
        "person": found, "form": form, "rules": [rule_label(rule) for rule in rules],
        "visits": visits_visible_to(request.user).filter(person=found)[:RECENT_VISITS],
        "needs_help": Outcome.NEEDS_HELP,
        "may_ask_medical": sees_unmasked(request.user, SensitiveField.HEALTH_STATUS)})



@action_required(Action.VIEW_PEOPLE)
def medical_queue_page(request: SignedInRequest) -> HttpResponse:
    """The open requests, in the order they are served (people under a measure first): a
    health centre's queue, or those of a grid worker's grids."""
    queue = medical_queue(request.user)
    return render(request, "care/medical_queue.html", {
        "requests": queue[:QUEUE_SIZE], "count": queue.count()})


@action_required(Action.EDIT_PEOPLE)
def medical_new(request: SignedInRequest, person: int) -> HttpResponse:
    """Ask the health centre serving the person's grid for remote medical help."""
    found = get_object_or_404(persons_visible_to(request.user), pk=person)
    form = MedicalRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            filed = medical_request_file(person=found, by=request.user, **form.cleaned_data)
        except PermissionDenied as error:
            messages.error(request, refusal_text(error))
            return redirect("web:person", pk=found.pk)
        except ValidationError as error:
            service_errors_shown(form, error)
        else:
            messages.success(request, _("Sent to %(centre)s as %(number)s.") % {
                "centre": filed.centre.name, "number": filed.event.number})
            return redirect("care:medical_detail", pk=filed.pk)
    return render(request, "care/medical_new.html", {"person": found, "form": form})


@action_required(Action.VIEW_OWN_RECORD)
def medical_own(request: SignedInRequest) -> HttpResponse:
    """A resident asks for medical help for themselves (filed as the residents' page, in
    their own grid), and sees how their requests stand: who answers, when, nothing more."""
    person = resident_person(request.user)
    if person is None:
        return render(request, "residents/not_linked.html")
    form = MedicalRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        page = system_actor("a resident's own request", scope_prefixes=(person.grid_code,))
        try:
            filed = medical_request_file(person=person, by=page, channel=Channel.PUBLIC,
                                         **form.cleaned_data)
        except ValidationError as error:
            service_errors_shown(form, error)
        else:
            messages.success(request, _("Sent to %(centre)s as %(number)s. They will call "
                                        "you.") % {"centre": filed.centre.name,
                                                   "number": filed.event.number})
            return redirect("care:medical_own")
    own = MedicalRequest.objects.filter(person=person).select_related(
        "centre", "event").order_by("-requested_at")[:10]
    return render(request, "care/medical_own.html", {"person": person, "form": form,
                                                     "requests": own})


def _medical(request: SignedInRequest, pk: int) -> MedicalRequest:
    return get_object_or_404(medical_requests_visible_to(request.user), pk=pk)


@action_required(Action.VIEW_PEOPLE)
def medical_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    """A request with its steps; the centre's staff get the forms of the next steps, the
    grid worker the delivery's confirmation."""
    found = _medical(request, pk)
    centre_staff = is_handler(request.user, found.event)
    return render(request, "care/medical_detail.html", {
        "request_": found, "centre_staff": centre_staff,
        "open": found.event.is_open,
        "appointment": AppointmentForm(prefix="appointment"),
        "delivery": DeliveryForm(prefix="delivery"),
        "follow_up": FollowUpForm(prefix="follow_up")})


@action_required(Action.VIEW_PEOPLE)
@require_POST
def medical_step(request: SignedInRequest, pk: int, step: str) -> HttpResponse:
    """One step of a request: appointment, delivery, delivered, follow-up; done or refused,
    the answer goes back to the request with a message."""
    found = _medical(request, pk)
    forms_of = {"appointment": AppointmentForm, "delivery": DeliveryForm,
                "follow-up": FollowUpForm}
    if step not in (*forms_of, "delivered"):
        raise Http404
    data: dict[str, Any] = {}
    if step in forms_of:
        form = forms_of[step](request.POST, prefix=step.replace("-", "_"))
        if not form.is_valid():
            messages.error(request, _("Nothing was saved: %(errors)s") % {
                "errors": " ".join(str(e) for errors in form.errors.values() for e in errors)})
            return redirect("care:medical_detail", pk=pk)
        data = form.cleaned_data
    try:
        if step == "appointment":
            medical_appointment_set(request=found, by=request.user, **data)
        elif step == "delivery":
            medical_delivery_arrange(request=found, by=request.user, **data)
        elif step == "delivered":
            medical_delivery_confirm(request=found, by=request.user)
        else:
            medical_follow_up_set(request=found, by=request.user, **data)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, _("Saved."))
    return redirect("care:medical_detail", pk=pk)
