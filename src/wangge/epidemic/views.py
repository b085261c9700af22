"""Cases and exposures pages under /epidemic/: the cases of the jurisdiction, a case with its
tests, history, contacts and chain of transmission, recording a case for a person (from the
person's page, or the event of a health check-in's alert), its status, tests, tracing and
listed contacts; venues and their visits.

Health fields (status, dates, results) are masked for roles that see health status masked;
showing them unmasked is a read of health data, logged with its purpose.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from wangge.access.decorators import action_required
from wangge.auditlog.models import Kind, Purpose
from wangge.auditlog.services import access_record, purpose_text
from wangge.events.models import Event
from wangge.events.offers import Offer
from wangge.foundation.forms import refusal_text, service_errors_shown
from wangge.foundation.paging import page_of
from wangge.foundation.permissions import Action, can
from wangge.foundation.requests import SignedInRequest
from wangge.health.models import CheckInAlert
from wangge.people.models import Person
from wangge.people.selectors import persons_visible_to

from .forms import CaseFilter, CaseForm, CaseUpdateForm, ContactForm, TestForm
from .models import Case, CaseStatus
from .selectors import (
    case_history,
    case_shown,
    case_test_shown,
    cases_visible_to,
    sees_health,
    transmission_chain,
    venues_visible_to,
    visits_visible_to,
)
from .services import OPEN_STATUSES, case_record, case_test_add, case_update, exposure_add
from .services import exposures_trace as trace

VIEW, RECORD = Action.VIEW_CASES, Action.RECORD_CASES


def _health_read(request: SignedInRequest, kind: Kind, person_ids: list[int],
                 target: str) -> None:
    """Health fields shown unmasked are a read of health data: logged with the purpose."""
    if person_ids and sees_health(request.user):
        access_record(by=request.user, kind=kind, request=request, fields=["health_status"],
                      record_ids=person_ids, target=target,
                      purpose=purpose_text(Purpose.HEALTH))


def _filtered(request: SignedInRequest, form: CaseFilter) -> QuerySet[Case]:
    cases = cases_visible_to(request.user).select_related("person")
    if not form.is_valid():
        return cases
    data = form.cleaned_data
    # A role that sees the status masked cannot filter by it: a match would reveal it.
    if data.get("status") and sees_health(request.user):
        cases = cases.filter(status=data["status"])
    if data["reported_from"]:
        cases = cases.filter(reported_on__gte=data["reported_from"])
    if data["reported_to"]:
        cases = cases.filter(reported_on__lte=data["reported_to"])
    return cases


@action_required(VIEW)
def case_list(request: SignedInRequest) -> HttpResponse:
    """The cases of the user's jurisdiction, latest report first; by status and date."""
    form = CaseFilter(request.GET or None)
    if not sees_health(request.user):
        del form.fields["status"]
    page = page_of(request, _filtered(request, form))
    rows = [(case, case_shown(request.user, case)) for case in page]
    _health_read(request, Kind.LIST, [case.person_id for case in page], "cases")
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "epidemic/cases.html", {
        "form": form, "page": page, "rows": rows, "query": query.urlencode(),
        "may_record": can(request.user, RECORD)})


def _case(request: SignedInRequest, pk: int) -> Case:
    return get_object_or_404(cases_visible_to(request.user).select_related(
        "person", "source_case__person"), pk=pk)


def _case_page(request: SignedInRequest, case: Case, *, status: int = 200,
               **forms: Any) -> HttpResponse:
    user = request.user
    may_record = can(user, RECORD)
    tests = [(test, case_test_shown(user, test)) for test in case.tests.all()]
    chain = transmission_chain(case, user)
    response = render(request, "epidemic/case.html", {
        "case": case, "shown": case_shown(user, case), "tests": tests,
        "history": case_history(case), "chain": chain,
        "person_visible": persons_visible_to(user).filter(pk=case.person_id).exists(),
        "may_record": may_record,
        "update_form": forms.get("update_form") or (CaseUpdateForm(initial={
            "status": case.status, "onset_on": case.onset_on,
            "confirmed_on": case.confirmed_on, "ended_on": case.ended_on})
            if may_record and sees_health(user) else None),
        "test_form": forms.get("test_form") or (TestForm() if may_record else None),
    }, status=status)
    _health_read(request, Kind.VIEW, [case.person_id], "case")
    return response


@action_required(VIEW)
def case_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    return _case_page(request, _case(request, pk))


@action_required(RECORD)
@require_http_methods(["GET", "POST"])
def case_new(request: SignedInRequest, pk: int) -> HttpResponse:
    """Record a case for a person (from the person's page, or an alert's event page)."""
    person = get_object_or_404(persons_visible_to(request.user), pk=pk)
    open_case = cases_visible_to(request.user).filter(
        person=person, status__in=OPEN_STATUSES).first()
    event_id = request.GET.get("event", "")
    form = CaseForm(request.POST or None, initial={"status": CaseStatus.SUSPECTED,
                                                   "source": "check_in" if event_id else ""})
    if request.method == "POST" and form.is_valid():
        try:
            case = case_record(person=person, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            service_errors_shown(form, error)
        else:
            messages.success(request, _("Case recorded for %(name)s.") % {"name": person.name})
            return redirect("epidemic:case", pk=case.pk)
    return render(request, "epidemic/case_new.html", {
        "person": person, "form": form, "open_case": open_case},
        status=422 if form.errors else 200)


@action_required(RECORD)
@require_POST
def case_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    """Move the status on, with its dates and a reason."""
    case = _case(request, pk)
    if not sees_health(request.user):
        raise PermissionDenied
    form = CaseUpdateForm(request.POST)
    if form.is_valid():
        changes = dict(form.cleaned_data)
        reason = changes.pop("reason")
        try:
            case_update(case=case, by=request.user, reason=reason, **changes)
        except ValidationError as error:
            case.refresh_from_db()
            service_errors_shown(form, error)
        else:
            messages.success(request, _("The case is now %(status)s.")
                             % {"status": case.get_status_display()})
            return redirect("epidemic:case", pk=case.pk)
    return _case_page(request, case, status=422, update_form=form)


@action_required(RECORD)
@require_POST
def test_add(request: SignedInRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    form = TestForm(request.POST)
    if form.is_valid():
        try:
            case_test_add(case=case, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            service_errors_shown(form, error)
        else:
            messages.success(request, _("Test result added."))
            return redirect("epidemic:case", pk=case.pk)
    return _case_page(request, case, status=422, test_form=form)


@action_required(RECORD)
@require_POST
def case_trace(request: SignedInRequest, pk: int) -> HttpResponse:
    """Trace the case's contacts: household, building, venues, and their households."""
    case = _case(request, pk)
    try:
        traced = trace(case=case, by=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, _(
            "Traced from %(start)s to %(end)s: %(added)s new contacts, %(close)s close and "
            "%(secondary)s secondary in all.") % {
            "start": traced.start, "end": traced.end, "added": traced.added,
            "close": traced.close, "secondary": traced.secondary})
        if traced.truncated:
            messages.warning(request, _("There were more contacts than one tracing records; "
                                        "trace again to continue."))
    return redirect("epidemic:case", pk=case.pk)


@action_required(RECORD)
@require_http_methods(["GET", "POST"])
def contact_add(request: SignedInRequest, pk: int) -> HttpResponse:
    """List a contact: find the person by name in the jurisdiction, then add them."""
    case = _case(request, pk)
    text = request.GET.get("q", "").strip()[:50]
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = persons_visible_to(request.user).filter(pk=form.cleaned_data["person"]).first()
        try:
            if person is None:
                raise ValidationError({"person": _("Choose a person from the list.")})
            exposure_add(case=case, person=person, by=request.user,
                         last_contact_on=form.cleaned_data["last_contact_on"],
                         note=form.cleaned_data["note"])
        except ValidationError as error:
            service_errors_shown(form, error)
        else:
            messages.success(request, _("%(name)s is listed as a close contact.")
                             % {"name": person.name})
            return redirect("epidemic:case", pk=case.pk)
    found: list[Person] = []
    if text:
        found = list(persons_visible_to(request.user).filter(name__startswith=text)
                     .exclude(pk=case.person_id).select_related("dwelling__building")[:20])
    return render(request, "epidemic/contact_add.html", {
        "case": case, "form": form, "text": text, "found": found},
        status=422 if form.errors else 200)


@action_required(VIEW)
def venue_list(request: SignedInRequest) -> HttpResponse:
    page = page_of(request, venues_visible_to(request.user).select_related(
        "facility", "enterprise"))
    return render(request, "epidemic/venues.html", {"page": page})


@action_required(VIEW)
def venue_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    """A venue, its code and its recent visits (personal location data: the read is
    logged)."""
    venue = get_object_or_404(venues_visible_to(request.user).select_related(
        "facility", "enterprise"), pk=pk)
    page = page_of(request, visits_visible_to(request.user).filter(venue=venue)
                   .select_related("person").order_by("-arrived", "-pk"))
    person_ids = [visit.person_id for visit in page]
    if person_ids:
        access_record(by=request.user, kind=Kind.LIST, request=request,
                      fields=["venue_visits"], record_ids=person_ids, target="venue visits",
                      purpose=purpose_text(Purpose.HEALTH))
    return render(request, "epidemic/venue.html", {"venue": venue, "page": page})


def record_case_offer(user: Any, event: Event) -> list[Offer]:
    """On the event of a health check-in's alert: record a case for its person (or open the
    open case), for a role that may record cases and sees the person."""
    if not can(user, RECORD):
        return []
    alert = CheckInAlert.objects.filter(event=event).only("person_id").first()
    if alert is None or not persons_visible_to(user).filter(pk=alert.person_id).exists():
        return []
    person = Person.objects.only("name").get(pk=alert.person_id)
    open_case = cases_visible_to(user).filter(person_id=alert.person_id,
                                              status__in=OPEN_STATUSES).first()
    if open_case is not None:
        return [Offer(_("Open the case of %(name)s") % {"name": person.name},
                      reverse("epidemic:case", args=[open_case.pk]))]
    return [Offer(_("Record a case for %(name)s") % {"name": person.name},
                  reverse("epidemic:case_new", args=[person.pk]) + f"?event={event.pk}")]

