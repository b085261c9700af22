"""API of lawful measures: the list and one measure (health data masked by role, unmasked
reads logged), proposing, sending, approving or refusing, extending, lifting, the appeals
queue and its answers, and the legal bases in force."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from wangge.access.models import User
from wangge.auditlog.models import Kind, Purpose
from wangge.auditlog.services import access_record, purpose_text
from wangge.foundation.api_support import (
    CodeFilter,
    Pages,
    RecordId,
    acting,
    also_answers,
    caller,
    referenced,
    stated_purpose,
    visible,
    visible_one,
)
from wangge.foundation.permissions import Action
from wangge.people.selectors import persons_visible_to
from wangge.places.selectors import buildings_visible_to

from .models import AppealState, LegalBasis, Measure, MeasureKind, MeasureState
from .selectors import (
    appeal_queue,
    appeals_visible_to,
    deciding_authorities,
    legal_bases,
    measure_shown,
    measures_filtered,
    measures_visible_to,
    sees_health,
)
from .services import (
    appeal_answer,
    measure_approve,
    measure_extend,
    measure_lift,
    measure_propose,
    measure_refuse,
    measure_submit,
)

router = Router(tags=["measures"])
VIEW, PROPOSE, APPROVE = (Action.VIEW_MEASURES, Action.PROPOSE_MEASURES,
                          Action.APPROVE_MEASURES)
# A refusal of an incomplete measure names each missing field (422); so does a step its state
# does not allow.
REFUSALS = also_answers(422, meaning={422: gettext_lazy(
    "The measure lacks what it needs, or its state does not allow this step; errors names "
    "each.")})


class MeasureFilter(CodeFilter):
    state: MeasureState | None = None
    kind: MeasureKind | None = None


class MeasureStepOut(Schema):
    kind: str
    actor: str = Field(alias="actor_name")
    reason: str
    at: datetime.datetime


class MeasureOut(Schema):
    id: int
    kind: MeasureKind
    state: MeasureState
    person_id: int | None
    building_id: int | None
    name: str = Field(description="The person's or the building's name")
    grid_code: str
    cause: str = Field(description="Why (health data): *** for a role that sees it masked")
    id_number: str = Field(description="Masked (the full number is read on the person)")
    phone: str
    legal_basis: str
    legal_basis_id: int | None
    authority_id: int | None
    authority: str
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    extension_ends_on: datetime.date | None
    responsible_id: int | None
    notified_at: datetime.datetime | None
    food: str
    medicine: str
    dependants_care: str
    appeal_channel: str
    activated_at: datetime.datetime | None
    closed_at: datetime.datetime | None


class MeasureDetail(MeasureOut):
    steps: list[MeasureStepOut]


class MeasureProposalIn(Schema):
    kind: MeasureKind
    person_id: RecordId | None = None
    building_id: RecordId | None = None
    cause: str = Field("", max_length=2000)
    legal_basis_id: RecordId | None = None
    authority_id: RecordId | None = None
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    responsible_id: RecordId | None = None
    notified_at: datetime.datetime | None = None
    food: str = Field("", max_length=200)
    medicine: str = Field("", max_length=200)
    dependants_care: str = Field("", max_length=200)
    appeal_channel: str = Field("", max_length=300)
    submit: bool = Field(False, description="Send for approval at once (refused whole, "
                                            "naming each missing field)")


class MeasureStepIn(Schema):
    reason: str = Field(min_length=1, max_length=500)


class MeasureExtendIn(MeasureStepIn):
    ends_on: datetime.date


class AppealOut(Schema):
    id: int
    measure_id: int
    state: AppealState
    text: str
    contact: str
    filed_at: datetime.datetime
    due_at: datetime.datetime
    overdue: bool
    answer: str
    answered_at: datetime.datetime | None

    @staticmethod
    def resolve_overdue(appeal: Any) -> bool:
        return appeal.state == AppealState.OPEN and appeal.due_at < timezone.now()


class AppealAnswerIn(Schema):
    upheld: bool
    answer: str = Field(min_length=1, max_length=2000)


class AppealFilter(CodeFilter):
    overdue: bool = Field(False, description="Only those past their deadline")


class LegalBasisOut(Schema):
    id: int
    law: str
    article: str
    summary: str
    kinds: list[str]


def _out(user: User, measure: Measure) -> dict[str, Any]:
    return {
        "id": measure.pk, "kind": measure.kind, "state": measure.state,
        "person_id": measure.person_id, "building_id": measure.building_id,
        "name": measure.subject_name, "grid_code": measure.grid_code,
        **measure_shown(user, measure),
        "legal_basis": str(measure.legal_basis or ""), "legal_basis_id": measure.legal_basis_id,
        "authority": str(measure.authority or ""), "authority_id": measure.authority_id,
        **{name: getattr(measure, name) for name in (
            "starts_on", "ends_on", "extension_ends_on", "responsible_id", "notified_at",
            "food", "medicine", "dependants_care", "appeal_channel", "activated_at",
            "closed_at")},
    }


def _log(request: HttpRequest, measures: list[Measure], kind: Kind) -> None:
    user = caller(request)
    persons = [measure.person_id for measure in measures if measure.person_id is not None]
    if persons and sees_health(user):
        access_record(by=user, kind=kind, request=request, fields=["health_status"],
                      record_ids=persons, target="measures",
                      purpose=stated_purpose(request) or purpose_text(Purpose.HEALTH))


def _detail(request: HttpRequest, measure: Measure) -> dict[str, Any]:
    _log(request, [measure], Kind.VIEW)
    return {**_out(caller(request), measure), "steps": list(measure.steps.all())}


class MeasurePages(Pages):
    """A page of measures as the caller may see them; an unmasked read is logged."""

    def paginate_queryset(self, queryset: QuerySet, pagination: Pages.Input,
                          request: HttpRequest, **params: Any) -> dict[str, Any]:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        measures = list(page["items"])
        _log(request, measures, Kind.LIST)
        page["items"] = [_out(caller(request), measure) for measure in measures]
        return page


@router.get("/measures", response=list[MeasureOut])
@paginate(MeasurePages)
def measure_list(request: HttpRequest, filters: Query[MeasureFilter]) -> QuerySet:
    """Measures of the caller's jurisdiction, newest first; ``code`` narrows to an area."""
    return filters.narrow(visible(request, lambda user: measures_filtered(
        user, state=filters.state or "", kind=filters.kind or ""), VIEW))


@router.get("/measures/{id}", response=MeasureDetail)
def measure_get(request: HttpRequest, id: RecordId) -> dict[str, Any]:
    return _detail(request, visible_one(request, measures_visible_to, VIEW, pk=id))


@router.post("/measures", response={201: MeasureDetail}, openapi_extra=REFUSALS)
def measure_post(request: HttpRequest, payload: MeasureProposalIn) -> dict[str, Any]:
    """Propose a measure for a person (``person_id``) or a building (``building_id``): a
    draft, or with ``submit`` sent for approval at once."""
    by = acting(request, PROPOSE)
    person = referenced(request, persons_visible_to, Action.VIEW_PEOPLE, field="person_id",
                        pk=payload.person_id)
    building = referenced(request, buildings_visible_to, Action.VIEW_PLACES,
                          field="building_id", pk=payload.building_id)
    authority = (deciding_authorities(by).filter(pk=payload.authority_id).first()
                 if payload.authority_id else None)
    if payload.authority_id and authority is None:
        raise ValidationError({"authority_id": _("No organization with this id may decide "
                                                 "measures for your jurisdiction.")})
    basis = (LegalBasis.objects.filter(pk=payload.legal_basis_id).first()
             if payload.legal_basis_id else None)
    responsible = (User.objects.filter(pk=payload.responsible_id).first()
                   if payload.responsible_id else None)
    measure = measure_propose(
        kind=payload.kind, person=person, building=building, by=by, submit=payload.submit,
        cause=payload.cause, legal_basis=basis, authority=authority,
        starts_on=payload.starts_on, ends_on=payload.ends_on, responsible=responsible,
        notified_at=payload.notified_at, food=payload.food, medicine=payload.medicine,
        dependants_care=payload.dependants_care, appeal_channel=payload.appeal_channel)
    return _detail(request, measure)


def _stepped(request: HttpRequest, id: int, action: Action) -> tuple[User, Measure]:
    """The measure (404 outside the jurisdiction), then the caller if they may act (403)."""
    measure = visible_one(request, measures_visible_to, VIEW, pk=id)
    return acting(request, action), measure


@router.post("/measures/{id}/submit", response=MeasureDetail, openapi_extra=REFUSALS)
def measure_submit_post(request: HttpRequest, id: RecordId) -> dict[str, Any]:
    """Send a draft for approval (refused naming each missing field)."""
    by, measure = _stepped(request, id, PROPOSE)
    return _detail(request, measure_submit(measure=measure, by=by))


@router.post("/measures/{id}/approve", response=MeasureDetail, openapi_extra=REFUSALS)
def measure_approve_post(request: HttpRequest, id: RecordId, payload: MeasureStepIn
                         ) -> dict[str, Any]:
    """Approve a measure (it becomes active) or its extension: a level above its deciding
    authority, never by its proposer."""
    by, measure = _stepped(request, id, APPROVE)
    return _detail(request, measure_approve(measure=measure, by=by, reason=payload.reason))


@router.post("/measures/{id}/refuse", response=MeasureDetail, openapi_extra=REFUSALS)
def measure_refuse_post(request: HttpRequest, id: RecordId, payload: MeasureStepIn
                        ) -> dict[str, Any]:
    """Refuse a measure waiting for approval (it is lifted, never active) or its extension."""
    by, measure = _stepped(request, id, APPROVE)
    return _detail(request, measure_refuse(measure=measure, by=by, reason=payload.reason))


@router.post("/measures/{id}/extend", response=MeasureDetail, openapi_extra=REFUSALS)
def measure_extend_post(request: HttpRequest, id: RecordId, payload: MeasureExtendIn
                        ) -> dict[str, Any]:
    """Ask to extend an active measure: it needs a new approval."""
    by, measure = _stepped(request, id, PROPOSE)
    return _detail(request, measure_extend(measure=measure, ends_on=payload.ends_on, by=by,
                                           reason=payload.reason))


@router.post("/measures/{id}/lift", response=MeasureDetail, openapi_extra=REFUSALS)
def measure_lift_post(request: HttpRequest, id: RecordId, payload: MeasureStepIn) -> dict[str, Any]:
    by, measure = _stepped(request, id, PROPOSE)
    return _detail(request, measure_lift(measure=measure, by=by, reason=payload.reason))


@router.get("/measure-appeals", response=list[AppealOut])
@paginate(Pages)
def appeal_list(request: HttpRequest, filters: Query[AppealFilter]) -> QuerySet:
    """Appeals waiting for an answer in the caller's jurisdiction, the most urgent first."""
    appeals = filters.narrow(visible(request, appeal_queue, VIEW))
    return appeals.filter(due_at__lt=timezone.now()) if filters.overdue else appeals


@router.post("/measure-appeals/{id}/answer", response=AppealOut, openapi_extra=REFUSALS)
def appeal_answer_post(request: HttpRequest, id: RecordId, payload: AppealAnswerIn) -> Any:
    """Answer an appeal as the deciding authority's staff: upheld lifts the measure."""
    appeal = visible_one(request, appeals_visible_to, VIEW, pk=id)
    by = acting(request, PROPOSE)
    return appeal_answer(appeal=appeal, upheld=payload.upheld, answer=payload.answer, by=by)


@router.get("/legal-bases", response=list[LegalBasisOut])
def legal_basis_list(request: HttpRequest, kind: MeasureKind | None = None) -> list:
    """The legal bases in force (for ``kind``, those providing for it)."""
    acting(request, VIEW)
    return legal_bases(kind or "")
