"""API for record linkage's review queue: pairs of persons that may be one person (with the
evidence, masked as the persons are), accepting (merge) or rejecting them, and merges with
their undoing. A pair or merge is visible when both persons are in the caller's
jurisdiction; otherwise it is 404, like one that does not exist."""

import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from wangge.auditlog.models import Kind
from wangge.auditlog.services import person_read_logged
from wangge.foundation.api_support import (
    PURPOSE_ANSWERS,
    CodeFilter,
    Pages,
    Reason,
    RecordId,
    acting,
    caller,
    purpose_header,
    purpose_revealed,
    visible,
    visible_one,
)
from wangge.foundation.codes import prefix_range, scope_prefix
from wangge.foundation.permissions import Action
from wangge.people.api import PersonOut

from .models import MatchCandidate, Merge
from .selectors import (
    candidates_visible_to,
    evidence_shown,
    merge_changes_shown,
    merges_visible_to,
)
from .services import candidate_accept, candidate_reject, person_unmerge

router = Router(tags=["linkage"])
REVIEW = Action.REVIEW_MATCHES


class EvidenceRowOut(Schema):
    comparison: str
    label: str
    left: str = Field(description="This record's normalised values (masked as the person's)")
    right: str
    level: str
    level_label: str
    m: str
    u: str
    weight: str

    @staticmethod
    def resolve_label(row: dict[str, Any]) -> str:
        return str(row["label"])

    @staticmethod
    def resolve_level_label(row: dict[str, Any]) -> str:
        return str(row["level_label"])


class EvidenceOut(Schema):
    rows: list[EvidenceRowOut]
    prior: float | None = Field(description="The prior's weight (log2 odds)")
    total: float | None = Field(description="The pair's match weight (log2 odds)")
    probability: float
    rule: str = Field(description="A rule that overrode the weights, if any")

    @staticmethod
    def resolve_rule(evidence: dict[str, Any]) -> str:
        return str(evidence["rule"])


class CandidateOut(Schema):
    id: int
    left: PersonOut
    right: PersonOut
    probability: float
    status: str
    found: datetime.datetime
    reviewed_by: str | None = None
    reviewed: datetime.datetime | None
    review_reason: str

    @staticmethod
    def resolve_reviewed_by(candidate: MatchCandidate) -> str | None:
        return candidate.reviewed_by.username if candidate.reviewed_by else None


class CandidateDetailOut(CandidateOut):
    evidence: EvidenceOut

    @staticmethod
    def resolve_evidence(candidate: MatchCandidate, context: dict[str, Any]) -> dict[str, Any]:
        request = context["request"]
        return evidence_shown(caller(request), candidate, revealed=purpose_revealed(request))


class MergeOut(Schema):
    id: int
    kept_id: int
    absorbed_id: int
    candidate_id: int | None
    automatic: bool
    by: str | None = None
    reason: str
    merged: datetime.datetime
    changes: dict[str, Any] = Field(
        description="By kind of record and key: {field: [before, after]}")
    undone: datetime.datetime | None
    undone_by: str | None = None
    undo_reason: str
    kept_as_changed: list[dict[str, Any]] = Field(
        description="Fields an undo left alone because they changed after the merge")

    @staticmethod
    def resolve_by(merge: Merge) -> str | None:
        return merge.by.username if merge.by else None

    @staticmethod
    def resolve_changes(merge: Merge, context: dict[str, Any]) -> dict[str, Any]:
        request = context["request"]
        return merge_changes_shown(caller(request), merge, revealed=purpose_revealed(request))

    @staticmethod
    def resolve_undone_by(merge: Merge) -> str | None:
        return merge.undone_by.username if merge.undone_by else None


class LoggedPairPages(Pages):
    """A page of pairs or merges, the read of their persons logged (with the purpose that
    reveals them) before it is answered."""

    def paginate_queryset(self, queryset: QuerySet, pagination: Pages.Input,
                          request: HttpRequest, **params: Any) -> dict[str, Any]:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page["items"] = list(page["items"])
        person_read_logged(request, [pk for item in page["items"] for pk in _persons_of(item)],
                           kind=Kind.LIST)
        return page


def _persons_of(item: MatchCandidate | Merge) -> tuple[int, int]:
    if isinstance(item, MatchCandidate):
        return item.left_id, item.right_id
    return item.kept_id, item.absorbed_id


class PairFilter(CodeFilter):
    """``?code=``: pairs (or merges) whose first person is filed under this code."""

    def narrow_on(self, queryset: QuerySet, field: str) -> QuerySet:
        if not self.code:
            return queryset
        prefix = scope_prefix(self.code) if len(self.code) in (12, 15) else self.code
        return queryset.filter(prefix_range(field, prefix))


class CandidateFilter(PairFilter):
    status: MatchCandidate.Status = Field(MatchCandidate.Status.PENDING,
                                          description="pending, accepted or rejected")


class AcceptIn(Reason):
    keep_id: RecordId | None = Field(None, description="The record to keep, one of the pair; by "
                                                  "default the one with a document number, "
                                                  "else the older")


@router.get("/match-candidates", response=list[CandidateOut], openapi_extra=PURPOSE_ANSWERS)
@paginate(LoggedPairPages)
def candidate_list(request: HttpRequest, filters: Query[CandidateFilter],
                   x_purpose: str = purpose_header()) -> QuerySet:
    """Pairs in the caller's jurisdiction, most probable first (the queue: ``pending``)."""
    pairs = visible(request, candidates_visible_to, REVIEW).filter(status=filters.status)
    if filters.status == MatchCandidate.Status.PENDING:
        pairs = pairs.filter(left__merged_into=None, right__merged_into=None)
    return filters.narrow_on(pairs, "left__grid_code")


@router.get("/match-candidates/{id}", response=CandidateDetailOut,
            openapi_extra=PURPOSE_ANSWERS)
def candidate_get(request: HttpRequest, id: RecordId,
                  x_purpose: str = purpose_header()) -> MatchCandidate:
    """One pair with the evidence: per comparison both sides' values, level, m, u, weight."""
    candidate = visible_one(request, candidates_visible_to, REVIEW, pk=id)
    person_read_logged(request, list(_persons_of(candidate)), kind=Kind.VIEW)
    return candidate


@router.post("/match-candidates/{id}/accept", response={201: MergeOut})
def candidate_accept_post(request: HttpRequest, id: RecordId, payload: AcceptIn) -> Merge:
    """One person: merge the pair (``reason`` required), into ``keep_id`` if given."""
    candidate = visible_one(request, candidates_visible_to, REVIEW, pk=id)
    return candidate_accept(candidate=candidate, by=acting(request, REVIEW),
                            reason=payload.reason, keep_id=payload.keep_id)


@router.post("/match-candidates/{id}/reject", response=CandidateOut)
def candidate_reject_post(request: HttpRequest, id: RecordId, payload: Reason) -> MatchCandidate:
    """Two people: the pair leaves the queue and is not proposed again."""
    candidate = visible_one(request, candidates_visible_to, REVIEW, pk=id)
    return candidate_reject(candidate=candidate, by=acting(request, REVIEW),
                            reason=payload.reason)


@router.get("/merges", response=list[MergeOut], openapi_extra=PURPOSE_ANSWERS)
@paginate(LoggedPairPages)
def merge_list(request: HttpRequest, filters: Query[PairFilter],
               x_purpose: str = purpose_header()) -> QuerySet:
    return filters.narrow_on(visible(request, merges_visible_to, REVIEW), "kept__grid_code")


@router.post("/merges/{id}/unmerge", response=MergeOut)
def merge_undo_post(request: HttpRequest, id: RecordId, payload: Reason) -> Merge:
    """Undo a merge: both records as they were, except values changed since."""
    merge = visible_one(request, merges_visible_to, REVIEW, pk=id)
    return person_unmerge(merge=merge, by=acting(request, REVIEW), reason=payload.reason)
