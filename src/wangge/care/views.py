"""The care pages, for a phone: the visits due and overdue in one's grids, and the
one-screen visit form. Reads go through the scoped selectors (a person outside the
jurisdiction is 404), writes through the services."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from wangge.access.decorators import action_required
from wangge.divisions.selectors import with_area_names
from wangge.foundation.forms import refusal_text, service_errors_shown
from wangge.foundation.permissions import Action, can
from wangge.foundation.requests import SignedInRequest
from wangge.people.selectors import persons_visible_to
from wangge.populations.selectors import sees_circumstances

from .forms import VisitForm
from .models import Outcome
from .selectors import rule_label, visit_due_for, visits_due, visits_visible_to
from .services import care_visit_record

# The visits a person has had, shown under the form.
RECENT_VISITS = 5


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
        "needs_help": Outcome.NEEDS_HELP})

