"""The review pages: the queue of pairs that may be one person, a pair side by side with the
evidence and the decision, and the merges with their undoing. Each reads through the linkage
selectors (a pair or merge with a person outside the jurisdiction is 404) and writes through
the services; htmx swaps a decision's outcome in place."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wangge.access.models import User
from wangge.auditlog.models import Kind, Purpose
from wangge.auditlog.services import (
    AccessLogUnavailableError,
    person_reads_record,
    purpose_text,
)
from wangge.foundation.paging import page_of
from wangge.foundation.permissions import Action, can
from wangge.foundation.requests import SignedInRequest

from .forms import AcceptForm, ReasonForm
from .models import MatchCandidate, Merge
from .selectors import (
    candidates_pending,
    candidates_visible_to,
    evidence_shown,
    kept_as_changed_labels,
    merges_visible_to,
    pair_facts,
)
from .services import candidate_accept, candidate_reject, kept_and_absorbed, person_unmerge


def _reviewer(request: SignedInRequest) -> User:
    if not can(request.user, Action.REVIEW_MATCHES):
        raise PermissionDenied
    return request.user


@login_required
def queue(request: SignedInRequest) -> HttpResponse:
    user = _reviewer(request)
    return render(request, "linkage/queue.html", {
        "candidates": page_of(request, candidates_pending(user)),
    })


def _pair_page(request: SignedInRequest, candidate: MatchCandidate, *,
               accept_form: AcceptForm | None = None, reject_form: ReasonForm | None = None,
               status: int = 200) -> HttpResponse:
    user = request.user
    keep, _absorbed = kept_and_absorbed(candidate.left, candidate.right)
    template = "linkage/pair.html#decision" if request.htmx else "linkage/pair.html"
    return render(request, template, {
        "candidate": candidate,
        "facts": pair_facts(user, candidate.left, candidate.right),
        # Opening the pair is a logged reveal (see ``pair``).
        "evidence": evidence_shown(user, candidate, revealed=True),
        "merge": candidate.merges.order_by("-pk").first(),
        "accept_form": accept_form or AcceptForm(candidate=candidate, auto_id="accept_%s",
                                                 initial={"keep": keep.pk}),
        "reject_form": reject_form or ReasonForm(auto_id="reject_%s"),
    }, status=status)


@login_required
def pair(request: SignedInRequest, pk: int) -> HttpResponse:
    """The pair side by side. It compares the full IDs and birth dates, so opening it is a
    reveal of both records (deciding duplicates corrects the registry), logged first."""
    user = _reviewer(request)
    candidate = get_object_or_404(candidates_visible_to(user), pk=pk)
    try:
        person_reads_record(by=user, request=request, kind=Kind.REVEAL, revealed=True,
                            record_ids=[candidate.left_id, candidate.right_id],
                            purpose=purpose_text(Purpose.CORRECTION), required=True)
    except AccessLogUnavailableError as error:
        return HttpResponse(error.message, status=503)
    return _pair_page(request, candidate)


def _decided(request: SignedInRequest, candidate: MatchCandidate, message: str) -> HttpResponse:
    messages.success(request, message)
    if request.htmx:
        return _pair_page(request, candidate)
    return redirect("linkage:queue")


@require_POST
@login_required
def accept(request: SignedInRequest, pk: int) -> HttpResponse:
    """The two are one person: merge the other record into the one chosen."""
    user = _reviewer(request)
    candidate = get_object_or_404(candidates_visible_to(user), pk=pk)
    form = AcceptForm(request.POST, candidate=candidate, auto_id="accept_%s")
    if form.is_valid():
        try:
            merge = candidate_accept(candidate=candidate, by=user,
                                     keep_id=form.cleaned_data["keep"],
                                     reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            candidate.refresh_from_db()
            return _decided(request, candidate, _(
                "Merged: %(absorbed)s (record %(absorbed_id)s) is now part of record "
                "%(kept_id)s. The merge can be undone from the list of merges.") % {
                "absorbed": merge.absorbed.name, "absorbed_id": merge.absorbed_id,
                "kept_id": merge.kept_id})
    return _pair_page(request, candidate, accept_form=form, status=422)


@require_POST
@login_required
def reject(request: SignedInRequest, pk: int) -> HttpResponse:
    """Two people: the pair leaves the queue for good."""
    user = _reviewer(request)
    candidate = get_object_or_404(candidates_visible_to(user), pk=pk)
    form = ReasonForm(request.POST, auto_id="reject_%s")
    if form.is_valid():
        try:
            candidate = candidate_reject(candidate=candidate, by=user,
                                         reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            return _decided(request, candidate, _("Kept apart: these are two people."))
    return _pair_page(request, candidate, reject_form=form, status=422)


@login_required
def merges(request: SignedInRequest) -> HttpResponse:
    user = _reviewer(request)
    return render(request, "linkage/merges.html", {
        "merges": page_of(request, merges_visible_to(user)),
    })


@require_POST
@login_required
def unmerge(request: SignedInRequest, pk: int) -> HttpResponse:
    user = _reviewer(request)
    merge = get_object_or_404(merges_visible_to(user), pk=pk)
    form = ReasonForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            merge = person_unmerge(merge=merge, by=user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            status = 200
            messages.success(request, _unmerged_message(merge))
            if not request.htmx:
                return redirect("linkage:merges")
    if not request.htmx:
        return render(request, "linkage/merges.html", {
            "merges": page_of(request, merges_visible_to(user)), "form": form,
            "failed": merge.pk}, status=status)
    return render(request, "linkage/merges.html#merge", {"merge": merge, "form": form,
                                                         "failed": merge.pk}, status=status)


def _unmerged_message(merge: Merge) -> str:
    message = _("Undone: records %(kept)s and %(absorbed)s are two again.") % {
        "kept": merge.kept_id, "absorbed": merge.absorbed_id}
    if merge.kept_as_changed:
        message += " " + _("Changed since the merge, so left as they are: %(fields)s.") % {
            "fields": ", ".join(kept_as_changed_labels(merge))}
    return message
