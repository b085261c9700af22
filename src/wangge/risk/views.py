"""Pages of the risk grades: the rule sets (write a new version, preview it against the one in
force, put it in force) and one subject's grade with its reasons and history."""

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from wangge.access.decorators import action_required
from wangge.auditlog.models import Kind
from wangge.foundation.forms import refusal_text, service_errors_shown
from wangge.foundation.permissions import Action, can
from wangge.foundation.requests import SignedInRequest

from .api import preview_shown
from .forms import RuleSetForm
from .models import Level, RuleSetStatus, SubjectKind
from .rules import grade_heading
from .selectors import (
    grade_changes_visible_to,
    grade_shown,
    grades_visible_to,
    person_grades_read,
    reason_names,
    rule_sets_visible_to,
    subject_names,
)
from .services import rule_set_draft_create, rule_set_in_force, rule_set_put_in_force

HISTORY = 50


@action_required(Action.VIEW_RISK)
@require_http_methods(["GET", "POST"])
def rules(request: SignedInRequest) -> HttpResponse:
    """The versions of the rules; a new version written here (starting from the one in
    force) is saved as a draft and opened for its preview."""
    may_edit = can(request.user, Action.EDIT_RISK_RULES)
    in_force = rule_set_in_force()
    form = None
    if may_edit:
        if request.method == "POST":
            form = RuleSetForm(request.POST)
            if form.is_valid():
                try:
                    draft = rule_set_draft_create(rules=form.cleaned_data["rules"],
                                                  note=form.cleaned_data["note"],
                                                  by=request.user)
                except ValidationError as error:
                    service_errors_shown(form, error)
                else:
                    messages.success(request, _("Version %(version)d saved as a draft: check "
                                                "its preview before putting it in force.")
                                     % {"version": draft.version})
                    return redirect("risk:rule_set", pk=draft.pk)
        else:
            initial = json.dumps(in_force.rules if in_force else [], ensure_ascii=False,
                                 indent=1)
            form = RuleSetForm(initial={"rules": initial})
    elif request.method == "POST":
        raise PermissionDenied
    return render(request, "risk/rules.html", {
        "rule_sets": rule_sets_visible_to(request.user)[:50], "in_force": in_force,
        "form": form})


@action_required(Action.VIEW_RISK)
def rule_set(request: SignedInRequest, pk: int) -> HttpResponse:
    """One version: its rules; a draft with its preview against the version in force."""
    found = get_object_or_404(rule_sets_visible_to(request.user), pk=pk)
    may_edit = can(request.user, Action.EDIT_RISK_RULES)
    preview = None
    if may_edit and found.status == RuleSetStatus.DRAFT:
        preview = preview_shown(request, found, request.user)
    return render(request, "risk/rule_set.html", {
        "rule_set": found, "rules_text": json.dumps(found.rules, ensure_ascii=False, indent=1),
        "preview": preview, "may_edit": may_edit, "kinds": dict(SubjectKind.choices),
        "levels": dict(Level.choices)})


@action_required(Action.EDIT_RISK_RULES)
@require_POST
def put_in_force(request: SignedInRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(rule_sets_visible_to(request.user), pk=pk)
    try:
        summary = rule_set_put_in_force(rule_set=found, by=request.user)
    except ValidationError as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, _("Version %(version)d is in force; every grade was "
                                    "recomputed (%(raised)d raised, %(lowered)d lowered).")
                         % {"version": found.version, "raised": sum(summary.raised.values()),
                            "lowered": sum(summary.lowered.values())})
    return redirect("risk:rule_set", pk=found.pk)


@action_required(Action.VIEW_RISK)
def subject(request: SignedInRequest, kind: str, key: str) -> HttpResponse:
    """A subject's grade, why, and its history (404 outside the jurisdiction, for a person's
    grade without health status unmasked, and for a subject never graded)."""
    if kind not in SubjectKind.values or not key.isdigit() or len(key) > 20:
        raise Http404
    grade = grades_visible_to(request.user).filter(kind=kind, key=key).first()
    history = list(grade_changes_visible_to(request.user).filter(kind=kind, key=key)[:HISTORY])
    if grade is None and not history:
        raise Http404
    person_grades_read(by=request.user, request=request, subjects=[(kind, key)],
                       kind=Kind.VIEW)
    names = subject_names([(kind, key)], request.user)
    words = reason_names([grade.reasons if grade else [], *(c.reasons for c in history)])
    shown: dict[str, Any] = (grade_shown(grade, names, words) if grade else {
        "name": names.get((kind, key), key), "level": Level.LOW, "reasons": [],
        "heading": grade_heading(kind, Level.LOW), "grid_code": history[0].grid_code})
    return render(request, "risk/subject.html", {
        "grade": shown, "since": grade.since if grade else None, "kind": kind,
        "history": [(change, grade_shown(change, names, words)) for change in history]})
