"""API of the risk grades: the rule sets (read, write a draft, preview it, put it in force),
the grades in the caller's jurisdiction, and one subject's grade with its reasons and history.
A person's grade is health data: only for roles that see health status unmasked, and logged."""

import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate

from wangge.auditlog.models import Kind
from wangge.foundation.api_support import CodeFilter, Pages, RecordId, acting, caller, visible
from wangge.foundation.permissions import Action

from .models import Level, RuleSetStatus, SubjectKind
from .rules import MAX_RULES, grade_heading
from .selectors import (
    grade_changes_visible_to,
    grade_shown,
    grades_visible_to,
    person_grades_read,
    reason_names,
    reasons_shown,
    rule_sets_visible_to,
    sees_person_grades,
    subject_names,
)
from .services import rule_set_draft_create, rule_set_preview, rule_set_put_in_force

router = Router(tags=["risk"])
HISTORY = 50


class RuleSetOut(Schema):
    id: int
    version: int
    status: RuleSetStatus
    rules: list[dict[str, Any]]
    note: str
    created: datetime.datetime
    in_force_from: datetime.datetime | None


class RuleSetIn(Schema):
    rules: list[Any] = Field(description=f"The rules (at most {MAX_RULES}); see docs/risk.md",
                             max_length=MAX_RULES)
    note: str = Field("", max_length=200, description="What changed")


class RiskGradeOut(Schema):
    kind: SubjectKind
    key: str = Field(description="A person's or building's id, a grid's or community's code")
    grid_code: str
    name: str
    level: int = Field(description="0 low, 1 medium, 2 high")
    level_name: str
    heading: str
    reasons: list[str]
    reasons_data: list[dict[str, Any]] = Field(description="{rule, if, params, facts}")


class GradeChangeOut(RiskGradeOut):
    before: int
    at: datetime.datetime
    rule_set_version: int


class RiskSubjectOut(Schema):
    grade: RiskGradeOut
    since: datetime.datetime | None
    history: list[GradeChangeOut]


class RiskLevelCount(Schema):
    level: int
    now: int
    draft: int


class RiskAreaCount(Schema):
    code: str
    name: str
    raised: int
    lowered: int


class RiskPreviewOut(Schema):
    levels: dict[str, list[RiskLevelCount]]
    areas: list[RiskAreaCount]
    changed: int
    persons_changed: int
    persons_listed: bool = Field(description="Whether persons are among the changes (roles "
                                             "that see health status unmasked)")
    changes: list[dict[str, Any]]


class RiskGradeFilter(CodeFilter):
    kind: SubjectKind | None = None
    level: int | None = Field(None, ge=1, le=2, description="1 medium, 2 high")


class GradePages(Pages):
    """A page of grades as the caller may see them (persons' reads logged)."""

    def paginate_queryset(self, queryset: QuerySet, pagination: Pages.Input,
                          request: HttpRequest, **params: Any) -> dict[str, Any]:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        grades = list(page["items"])
        page["items"] = shown_grades(request, grades)
        return page


def shown_grades(request: HttpRequest, grades: list[Any]) -> list[dict[str, Any]]:
    user = caller(request)
    person_grades_read(by=user, request=request,
                       subjects=[(grade.kind, grade.key) for grade in grades])
    names = subject_names(((grade.kind, grade.key) for grade in grades), user)
    words = reason_names(grade.reasons for grade in grades)
    return [grade_shown(grade, names, words) for grade in grades]


@router.get("/risk/rule-sets", response=list[RuleSetOut])
@paginate(Pages)
def rule_set_list(request: HttpRequest) -> QuerySet:
    """Every version of the rules, the newest first."""
    return visible(request, rule_sets_visible_to, Action.VIEW_RISK)


@router.get("/risk/rule-sets/{id}", response=RuleSetOut)
def rule_set_get(request: HttpRequest, id: RecordId) -> Any:
    return get_object_or_404(visible(request, rule_sets_visible_to, Action.VIEW_RISK),
                             pk=id)


@router.post("/risk/rule-sets", response=RuleSetOut)
def rule_set_post(request: HttpRequest, payload: RuleSetIn) -> Any:
    """Write a new version as a draft; the rules are checked, and each error names the rule
    (from 1) and the field (422)."""
    by = acting(request, Action.EDIT_RISK_RULES)
    return rule_set_draft_create(rules=payload.rules, note=payload.note, by=by)


@router.get("/risk/rule-sets/{id}/preview", response=RiskPreviewOut)
def rule_set_preview_get(request: HttpRequest, id: RecordId) -> dict[str, Any]:
    """What putting this draft in force would change in the caller's jurisdiction: grades per
    level now and with the draft, raised and lowered per community, and the subjects that
    would change (persons only for roles that see health status unmasked)."""
    by = acting(request, Action.EDIT_RISK_RULES)
    rule_set = get_object_or_404(rule_sets_visible_to(by), pk=id)
    return preview_shown(request, rule_set, by)


def preview_shown(request: HttpRequest, rule_set: Any, by: Any) -> dict[str, Any]:
    preview = rule_set_preview(rule_set=rule_set, by=by, show_persons=sees_person_grades(by))
    names = subject_names(((change.kind, change.key) for change in preview.changes), by)
    words = reason_names([*(change.reasons_before for change in preview.changes),
                          *(change.reasons_after for change in preview.changes)])
    person_grades_read(by=by, request=request,
                       subjects=[(change.kind, change.key) for change in preview.changes])
    areas = subject_names(((SubjectKind.COMMUNITY, code) for code in preview.areas), by)
    return {
        "levels": {kind: [{"level": level, "now": now, "draft": draft}
                          for level, (now, draft) in levels.items()]
                   for kind, levels in preview.levels.items()},
        "areas": [{"code": code, "name": areas.get((SubjectKind.COMMUNITY, code), code),
                   "raised": raised, "lowered": lowered}
                  for code, (raised, lowered) in preview.areas.items()],
        "changed": preview.changed, "persons_changed": preview.persons_changed,
        "persons_listed": sees_person_grades(by),
        "changes": [{"kind": change.kind, "key": change.key, "grid_code": change.grid_code,
                     "name": names.get((change.kind, change.key), change.key),
                     "before": change.before, "after": change.after,
                     "before_name": str(Level(change.before).label),
                     "after_name": str(Level(change.after).label),
                     "reasons_before": reasons_shown(change.reasons_before, words),
                     "reasons_after": reasons_shown(change.reasons_after, words)}
                    for change in preview.changes],
    }


class RuleSetInForceOut(Schema):
    rule_set: RuleSetOut
    raised: dict[str, int]
    lowered: dict[str, int]


@router.post("/risk/rule-sets/{id}/put-in-force", response=RuleSetInForceOut)
def rule_set_put_in_force_post(request: HttpRequest, id: RecordId) -> dict[str, Any]:
    """Put a draft in force: the version in force retires, every grade is recomputed under
    the draft, each change recorded with it (422 for a set that is not a draft)."""
    by = acting(request, Action.EDIT_RISK_RULES)
    rule_set = get_object_or_404(rule_sets_visible_to(by), pk=id)
    summary = rule_set_put_in_force(rule_set=rule_set, by=by)
    rule_set.refresh_from_db()
    return {"rule_set": rule_set, "raised": dict(summary.raised),
            "lowered": dict(summary.lowered)}


@router.get("/risk/grades", response=list[RiskGradeOut])
@paginate(GradePages)
def grade_list(request: HttpRequest, filters: Query[RiskGradeFilter]) -> QuerySet:
    """The medium and high grades in the caller's jurisdiction (a subject not listed is
    low), by ``kind``, ``level`` and area ``code``; highest first."""
    grades = filters.narrow(visible(request, grades_visible_to, Action.VIEW_RISK))
    if filters.kind:
        grades = grades.filter(kind=filters.kind)
    if filters.level:
        grades = grades.filter(level=filters.level)
    return grades.order_by("-level", "kind", "grid_code", "key")


@router.get("/risk/grades/{kind}/{key}", response=RiskSubjectOut)
def grade_get(request: HttpRequest, kind: SubjectKind,
              key: str = Path(..., pattern=r"^\d{1,20}$")) -> dict[str, Any]:
    """One subject's grade with its reasons and its history (the last 50 changes); 404 for a
    subject outside the jurisdiction or never graded."""
    user = caller(request)
    grade = visible(request, grades_visible_to, Action.VIEW_RISK).filter(
        kind=kind, key=key).first()
    history = list(grade_changes_visible_to(user).filter(kind=kind, key=key)[:HISTORY])
    if grade is None and not history:
        raise Http404
    records = [grade] if grade is not None else []
    person_grades_read(by=user, request=request, subjects=[(kind, key)], kind=Kind.VIEW)
    names = subject_names([(kind, key)], user)
    words = reason_names([*(record.reasons for record in records),
                          *(change.reasons for change in history)])
    if grade is None:
        current = {"kind": kind, "key": key, "grid_code": history[0].grid_code,
                   "name": names.get((kind, key), key), "level": 0,
                   "level_name": str(Level.LOW.label),
                   "heading": grade_heading(kind, Level.LOW), "reasons": [],
                   "reasons_data": []}
    else:
        current = grade_shown(grade, names, words)
    return {
        "grade": current, "since": grade.since if grade else None,
        "history": [{**grade_shown(change, names, words), "before": change.before,
                     "at": change.at, "rule_set_version": change.rule_set.version}
                    for change in history],
    }
