"""API of notices: staff list, count, publish (or schedule) and withdraw notices, follow their
receipts per grid and the unread of their grids, and mark a resident told in person; a
resident reads their own notices (opening one is reading it) and confirms the urgent ones."""

import datetime
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wangge.foundation.api_support import (
    CodeFilter,
    Pages,
    RecordId,
    acting,
    also_answers,
    caller,
    referenced,
    visible,
    visible_one,
)
from wangge.foundation.permissions import Action
from wangge.organizations.selectors import organizations_visible_to
from wangge.populations.models import Population
from wangge.residents.selectors import resident_person

from .models import Audience, Notice, Recipient
from .selectors import (
    notices_of,
    notices_visible_to,
    receipt_totals,
    receipts_by_grid,
    receipts_visible_to,
    unread_of,
)
from .services import (
    BODY_CHARACTERS,
    BUILDINGS_LISTED,
    GRIDS_LISTED,
    NOTE_CHARACTERS,
    OLDEST_AGE,
    TITLE_CHARACTERS,
    notice_acknowledge,
    notice_create,
    notice_preview,
    notice_read,
    notice_withdraw,
    recipient_told,
)

router = Router(tags=["notices"])
PUBLISH, OWN = Action.PUBLISH_NOTICES, Action.VIEW_OWN_RECORD
REFUSALS = also_answers(422, meaning={422: gettext_lazy(
    "The notice breaks a rule (a field, an audience beyond your jurisdiction, more "
    "recipients than a notice may reach); errors names each.")})
GridCode = Annotated[str, Field(pattern=r"^\d{15}$", description="A grid's 15-digit code")]


class NoticeFilter(CodeFilter):
    state: str = Field("", pattern=r"^(|scheduled|published|withdrawn)$",
                       description="scheduled, published or withdrawn")


class NoticeIn(Schema):
    title: str = Field(min_length=1, max_length=TITLE_CHARACTERS)
    body: str = Field(min_length=1, max_length=BODY_CHARACTERS)
    urgent: bool = Field(False, description="Asks each recipient to confirm it")
    audience: Audience
    area_code: str = Field("", pattern=r"^(\d{12}|\d{15})?$", description=(
        "The area of a population, age band, organization or jurisdiction audience: a "
        "division or grid of your jurisdiction"))
    grid_codes: list[GridCode] = Field([], max_length=GRIDS_LISTED)
    building_ids: list[RecordId] = Field([], max_length=BUILDINGS_LISTED)
    population_key: str = Field("", max_length=40, description="A care population's key")
    organization_id: RecordId | None = None
    age_min: int | None = Field(None, ge=0, le=OLDEST_AGE)
    age_max: int | None = Field(None, ge=0, le=OLDEST_AGE)
    publish_at: datetime.datetime | None = Field(None, description="Empty: now")


class NoticeOut(Schema):
    id: int
    title: str
    body: str
    urgent: bool
    state: str = Field(description="scheduled, published or withdrawn")
    code: str = Field(description="The area it is for")
    audience: Audience
    grid_codes: list[str]
    building_ids: list[int]
    population_key: str | None
    organization_id: int | None
    age_min: int | None
    age_max: int | None
    sender_id: int | None
    publish_at: datetime.datetime
    published_at: datetime.datetime | None
    recipient_count: int
    withdrawn_at: datetime.datetime | None
    withdraw_reason: str


class GridReceipts(Schema):
    grid_code: str
    name: str
    recipients: int
    read: int
    acknowledged: int
    told: int
    unread: int = Field(description="Neither read nor told in person")


class ReceiptTotals(Schema):
    recipients: int
    read: int
    acknowledged: int
    told: int
    unread: int


class NoticeDetailOut(NoticeOut):
    grids: list[GridReceipts] = Field(description="Receipts per grid of your jurisdiction")
    totals: ReceiptTotals


class RecipientOut(Schema):
    id: int
    notice_id: int
    person_id: int
    name: str
    grid_code: str
    read_at: datetime.datetime | None
    acknowledged_at: datetime.datetime | None
    told_at: datetime.datetime | None
    told_note: str


class PreviewOut(Schema):
    recipients: int = Field(description="How many persons it would reach, published now")


class WithdrawIn(Schema):
    reason: str = Field(min_length=1, max_length=200)


class ToldIn(Schema):
    note: str = Field("", max_length=NOTE_CHARACTERS)


class MyNoticeOut(Schema):
    id: int = Field(description="The notice's id")
    title: str
    body: str
    urgent: bool
    published_at: datetime.datetime
    withdrawn: bool
    withdraw_reason: str
    read_at: datetime.datetime | None
    acknowledged_at: datetime.datetime | None


def notice_out(notice: Notice) -> dict[str, Any]:
    return {
        **{name: getattr(notice, name) for name in (
            "id", "title", "body", "urgent", "state", "code", "audience", "grid_codes",
            "building_ids", "organization_id", "age_min", "age_max", "sender_id",
            "publish_at", "published_at", "recipient_count", "withdrawn_at",
            "withdraw_reason")},
        "population_key": notice.population.key if notice.population is not None else None,
    }


def recipient_out(recipient: Recipient) -> dict[str, Any]:
    return {"id": recipient.pk, "notice_id": recipient.notice_id,
            "person_id": recipient.person_id, "name": recipient.person.name,
            **{name: getattr(recipient, name) for name in (
                "grid_code", "read_at", "acknowledged_at", "told_at", "told_note")}}


def my_notice_out(receipt: Recipient) -> dict[str, Any]:
    notice = receipt.notice
    return {"id": notice.pk, "title": notice.title, "body": notice.body,
            "urgent": notice.urgent, "published_at": notice.published_at,
            "withdrawn": notice.withdrawn_at is not None,
            "withdraw_reason": notice.withdraw_reason, "read_at": receipt.read_at,
            "acknowledged_at": receipt.acknowledged_at}


def _pages(out: Any) -> type[Pages]:
    class Shaped(Pages):
        def paginate_queryset(self, queryset: QuerySet, pagination: Pages.Input,
                              request: HttpRequest, **params: Any) -> dict[str, Any]:
            page = super().paginate_queryset(queryset, pagination, request, **params)
            page["items"] = [out(item) for item in page["items"]]
            return page

    return Shaped


def _fields(request: HttpRequest, payload: NoticeIn) -> dict[str, Any]:
    """The body as the services take it; a population or organization that is not there
    (or not in the caller's jurisdiction) is a 422 naming its field."""
    population = None
    if payload.population_key:
        population = Population.objects.filter(key=payload.population_key).first()
        if population is None:
            raise ValidationError({"population_key": _("No care population has this key.")})
    return {
        **payload.model_dump(include={"title", "body", "urgent", "audience", "area_code",
                                      "grid_codes", "building_ids", "age_min", "age_max",
                                      "publish_at"}),
        "population": population,
        "organization": referenced(request, organizations_visible_to,
                                   Action.VIEW_ORGANIZATIONS, field="organization_id",
                                   pk=payload.organization_id),
    }


@router.get("/notices", response=list[NoticeOut])
@paginate(_pages(notice_out))
def notice_list(request: HttpRequest, filters: Query[NoticeFilter]) -> QuerySet:
    """The notices for an area that overlaps the caller's jurisdiction, the latest first;
    ``code`` narrows to those for an area inside one."""
    notices = visible(request, notices_visible_to, PUBLISH).select_related("population")
    if filters.state == "scheduled":
        notices = notices.filter(published_at=None, withdrawn_at=None)
    elif filters.state == "published":
        notices = notices.filter(published_at__isnull=False, withdrawn_at=None)
    elif filters.state == "withdrawn":
        notices = notices.filter(withdrawn_at__isnull=False)
    return filters.narrow(notices).order_by("-publish_at", "-pk")


@router.post("/notices/preview", response=PreviewOut, openapi_extra=REFUSALS)
def notice_preview_post(request: HttpRequest, payload: NoticeIn) -> dict[str, int]:
    """How many persons the notice would reach if published now; nothing is written."""
    by = acting(request, PUBLISH)
    return {"recipients": notice_preview(by=by, **_fields(request, payload))}


@router.post("/notices", response={201: NoticeOut}, openapi_extra=REFUSALS)
def notice_post(request: HttpRequest, payload: NoticeIn) -> Status[dict[str, Any]]:
    """Publish a notice to exactly its audience inside the caller's jurisdiction (its
    recipients kept), or schedule it for ``publish_at``."""
    by = acting(request, PUBLISH)
    return Status(201, notice_out(notice_create(by=by, **_fields(request, payload))))


@router.get("/notices/{id}", response=NoticeDetailOut)
def notice_get(request: HttpRequest, id: RecordId) -> dict[str, Any]:
    """A notice with its receipts per grid of the caller's jurisdiction."""
    notice = visible_one(request, notices_visible_to, PUBLISH, pk=id)
    grids = receipts_by_grid(caller(request), notice)
    return {**notice_out(notice), "grids": grids, "totals": receipt_totals(grids)}


@router.post("/notices/{id}/withdraw", response=NoticeOut)
def notice_withdraw_post(request: HttpRequest, id: RecordId, payload: WithdrawIn
                         ) -> dict[str, Any]:
    """Withdraw a notice, published or scheduled (its sender, or someone who answers for its
    whole area; 403 for anyone else); its recipients see it withdrawn."""
    notice = visible_one(request, notices_visible_to, PUBLISH, pk=id)
    return notice_out(notice_withdraw(notice=notice, by=caller(request),
                                      reason=payload.reason))


@router.get("/notices/{id}/unread", response=list[RecipientOut])
@paginate(_pages(recipient_out))
def notice_unread(request: HttpRequest, id: RecordId) -> QuerySet:
    """The recipients in the caller's grids who have neither read it nor been told."""
    notice = visible_one(request, notices_visible_to, PUBLISH, pk=id)
    return unread_of(caller(request), notice)


@router.post("/notices/receipts/{id}/told", response=RecipientOut)
def receipt_told(request: HttpRequest, id: RecordId, payload: ToldIn) -> dict[str, Any]:
    """Mark a recipient of the caller's grids told in person, with a note."""
    recipient = visible_one(
        request, lambda user: receipts_visible_to(user).select_related("notice", "person"),
        PUBLISH, pk=id)
    return recipient_out(recipient_told(recipient=recipient, by=caller(request),
                                        note=payload.note))


@router.get("/me/notices", response=list[MyNoticeOut])
@paginate(_pages(my_notice_out))
def my_notices(request: HttpRequest) -> QuerySet:
    """A resident's notices, the latest first (none while the account is linked to no
    person)."""
    user = acting(request, OWN)
    return notices_of(resident_person(user))


def _own(request: HttpRequest, id: int) -> Notice:
    receipt = notices_of(resident_person(acting(request, OWN))).filter(notice_id=id).first()
    if receipt is None:
        raise Http404
    return receipt.notice


@router.get("/me/notices/{id}", response=MyNoticeOut)
def my_notice(request: HttpRequest, id: RecordId) -> dict[str, Any]:
    """One of the resident's notices; reading it here is reading it (the receipt is kept)."""
    notice = _own(request, id)
    return my_notice_out(notice_read(notice=notice, by=caller(request)))


@router.post("/me/notices/{id}/acknowledge", response=MyNoticeOut,
             openapi_extra=also_answers(422, meaning={422: gettext_lazy(
                 "The notice is not urgent, or it was withdrawn.")}))
def my_notice_acknowledge(request: HttpRequest, id: RecordId) -> dict[str, Any]:
    """Confirm an urgent notice (counted apart from reading it)."""
    notice = _own(request, id)
    return my_notice_out(notice_acknowledge(notice=notice, by=caller(request)))
