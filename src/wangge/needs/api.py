"""API of needs and offers: the board's needs and offers, the offers suggested for a need,
matches (a delivery task each) and their delivery, donations, and the public sums of an
area's donations (no sign-in)."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wangge.access.models import User
from wangge.care.selectors import visits_visible_to
from wangge.events.selectors import events_visible_to
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
from wangge.foundation.permissions import Action, SensitiveField, shown
from wangge.organizations.selectors import organizations_visible_to

from .models import (
    MOST,
    Category,
    Donation,
    Kind,
    Match,
    MatchStatus,
    Need,
    NeedStatus,
    Offer,
    OfferStatus,
    Urgency,
)
from .selectors import (
    candidates_for,
    deliveries_waiting,
    donation_sums,
    donations_visible_to,
    matches_visible_to,
    needs_visible_to,
    offers_open,
    offers_visible_to,
)
from .services import (
    ITEM_CHARACTERS,
    NAME_CHARACTERS,
    NOTE_CHARACTERS,
    TEXT_CHARACTERS,
    UNIT_CHARACTERS,
    donation_record,
    match_cancel,
    match_confirm,
    match_deliver,
    need_close,
    need_post,
    offer_close,
    offer_record,
)
from .views import public_area, public_period

router = Router(tags=["needs"])
POST, MATCH, OFFER = Action.POST_NEEDS, Action.MATCH_NEEDS, Action.OFFER_HELP


def _offers(request: HttpRequest) -> QuerySet[Offer]:
    """The offers the caller sees: staff who post needs, those of their board; an
    organization's desk (``OFFER_HELP``), its organizations' own. Any other role: 403."""
    user = acting(request, POST, OFFER)
    return offers_visible_to(user)
REFUSALS = also_answers(422, meaning={422: gettext_lazy(
    "The record breaks a rule (a field, an area beyond your jurisdiction, more than a need "
    "needs or an offer holds); errors names each.")})
AreaCode = Field(pattern=r"^(\d{12}|\d{15})$", description="A division or grid code")
Quantity = Field(ge=1, le=MOST)
SUGGESTIONS_ANSWERED = 20


class BoardFilter(CodeFilter):
    kind: Kind | None = None
    category: Category | None = None


class NeedFilter(BoardFilter):
    status: NeedStatus | None = Field(None, description="Empty: open and partly matched")


class OfferFilter(BoardFilter):
    open: bool = Field(True, description="Only offers that can still be matched")


class MatchFilter(CodeFilter):
    status: MatchStatus | None = None
    waiting: bool = Field(False, description="Only deliveries waiting for the caller")


class NeedIn(Schema):
    grid_code: str = Field("", pattern=r"^(\d{15})?$",
                           description="The grid; empty when posted from an event or visit")
    kind: Kind
    category: Category
    item: str = Field(min_length=1, max_length=ITEM_CHARACTERS)
    quantity: int = Quantity
    unit: str = Field(min_length=1, max_length=UNIT_CHARACTERS)
    description: str = Field("", max_length=TEXT_CHARACTERS,
                             description="Public text: never who needs it, nor why")
    urgency: Urgency = Urgency.NORMAL
    needed_by: datetime.date | None = None
    event_id: RecordId | None = Field(None, description="Posted from this event")
    care_visit_id: RecordId | None = Field(None, description="Posted from this care visit")


class NeedOut(Schema):
    id: int
    grid_code: str
    kind: Kind
    category: Category
    item: str
    description: str
    quantity: int
    unit: str
    matched: int
    delivered: int
    remaining: int
    urgency: Urgency
    needed_by: datetime.date | None
    status: NeedStatus
    event_id: int | None
    care_visit_id: int | None
    posted_by_id: int | None
    posted_at: datetime.datetime
    close_reason: str


class OfferIn(Schema):
    area_code: str = AreaCode
    organization_id: RecordId | None = None
    donor_name: str = Field("", max_length=NAME_CHARACTERS)
    donor_contact: str = Field("", max_length=20)
    named_publicly: bool = False
    kind: Kind
    category: Category
    item: str = Field(min_length=1, max_length=ITEM_CHARACTERS)
    quantity: int = Quantity
    unit: str = Field(min_length=1, max_length=UNIT_CHARACTERS)
    description: str = Field("", max_length=TEXT_CHARACTERS)
    available_until: datetime.date | None = None


class OfferOut(Schema):
    id: int
    area_code: str
    organization_id: int | None
    donor: str
    donor_contact: str = Field(description="Masked for a role that sees phones masked")
    named_publicly: bool
    kind: Kind
    category: Category
    item: str
    description: str
    quantity: int
    unit: str
    committed: int
    delivered: int
    remaining: int
    available_until: datetime.date | None
    status: OfferStatus
    recorded_at: datetime.datetime
    close_reason: str


class SuggestionOut(Schema):
    offer: OfferOut
    place: int = Field(description="0 the same grid, 1 its community, 2 street, 3 district, "
                                   "4 wider")
    covers: int = Field(description="How much of what the need still needs it can give")


class MatchIn(Schema):
    need_id: RecordId
    offer_id: RecordId
    quantity: int = Quantity
    assignee_id: RecordId | None = Field(None, description="Empty: the grid worker of the "
                                                           "need's grid")
    note: str = Field("", max_length=NOTE_CHARACTERS)


class MatchOut(Schema):
    id: int
    need_id: int
    offer_id: int
    grid_code: str
    quantity: int
    status: MatchStatus
    assignee_id: int
    matched_at: datetime.datetime
    delivered_quantity: int
    delivered_at: datetime.datetime | None
    confirmed_by_id: int | None
    note: str


class OfferMatchOut(Schema):
    """Where part of an offer went, as the offering organization's desk sees it: what, how
    much and how it stands, never who needs it or who delivers."""

    item: str = Field(description="The need's item")
    quantity: int
    status: MatchStatus
    matched_at: datetime.datetime
    delivered_quantity: int
    delivered_at: datetime.datetime | None


class DeliverIn(Schema):
    quantity: int = Field(ge=0, le=MOST, description="What arrived")
    note: str = Field("", max_length=NOTE_CHARACTERS)


class NeedsReasonIn(Schema):
    reason: str = Field(min_length=1, max_length=NOTE_CHARACTERS)


class DonationIn(Schema):
    code: str = Field(pattern=r"^(\d{12}|\d{15})$", description="The grid or community")
    organization_id: RecordId | None = None
    donor_name: str = Field("", max_length=NAME_CHARACTERS)
    named_publicly: bool = False
    category: Category
    item: str = Field(min_length=1, max_length=ITEM_CHARACTERS)
    quantity: int = Quantity
    unit: str = Field(min_length=1, max_length=UNIT_CHARACTERS)
    donated_on: datetime.date


class DonationOut(Schema):
    id: int
    code: str
    organization_id: int | None
    donor_name: str
    named_publicly: bool
    category: Category
    item: str
    quantity: int
    unit: str
    donated_on: datetime.date
    need_id: int | None
    match_id: int | None


class PeriodIn(Schema):
    start: datetime.date | None = Field(None, description="Empty: a year before the end")
    end: datetime.date | None = Field(None, description="Empty: today")


class CategorySum(Schema):
    category: Category
    unit: str
    quantity: int
    gifts: int


class ItemSum(Schema):
    category: Category
    item: str
    unit: str
    quantity: int


class CommunitySum(Schema):
    community: str
    name: str
    gifts: int
    donors: int


class DonationSumsOut(Schema):
    code: str
    name: str
    start: datetime.date
    end: datetime.date
    gifts: int
    donors: int = Field(description="How many donors gave")
    named_donors: list[str] = Field(description="Only those who agreed to be named")
    by_category: list[CategorySum]
    by_item: list[ItemSum]
    by_community: list[CommunitySum]


NEED_FIELDS = list(NeedOut.model_fields)
MATCH_FIELDS = list(MatchOut.model_fields)
DONATION_FIELDS = list(DonationOut.model_fields)


def need_out(need: Need) -> dict[str, Any]:
    return {name: getattr(need, name) for name in NEED_FIELDS}


def offer_out(offer: Offer, user: Any) -> dict[str, Any]:
    return {**{name: getattr(offer, name) for name in OfferOut.model_fields
               if name != "donor_contact"},
            "donor_contact": shown(user, SensitiveField.PHONE, offer.donor_contact)}


def match_out(match: Match) -> dict[str, Any]:
    return {name: getattr(match, name) for name in MATCH_FIELDS}


def offer_match_out(match: Match) -> dict[str, Any]:
    return {"item": match.need.item, **{name: getattr(match, name) for name in
                                        OfferMatchOut.model_fields if name != "item"}}


def donation_out(donation: Donation) -> dict[str, Any]:
    return {name: getattr(donation, name) for name in DONATION_FIELDS}


def _pages(out: Any, with_user: bool = False) -> type[Pages]:
    class Shaped(Pages):
        def paginate_queryset(self, queryset: QuerySet, pagination: Pages.Input,
                              request: HttpRequest, **params: Any) -> dict[str, Any]:
            page = super().paginate_queryset(queryset, pagination, request, **params)
            page["items"] = [out(item, caller(request)) if with_user else out(item)
                             for item in page["items"]]
            return page

    return Shaped


def _narrowed(filters: BoardFilter, records: QuerySet) -> QuerySet:
    if filters.kind:
        records = records.filter(kind=filters.kind)
    if filters.category:
        records = records.filter(category=filters.category)
    return filters.narrow(records)


@router.get("/needs/offers", response=list[OfferOut])
@paginate(_pages(offer_out, with_user=True))
def offer_list(request: HttpRequest, filters: Query[OfferFilter]) -> QuerySet:
    """Offers for an area inside or around the caller's jurisdiction; for an organization's
    desk, its organizations' own."""
    offers = _offers(request)
    if filters.open:
        offers = offers_open(offers)
    return _narrowed(filters, offers).order_by("available_until", "pk")


@router.post("/needs/offers", response={201: OfferOut}, openapi_extra=REFUSALS)
def offer_post(request: HttpRequest, payload: OfferIn) -> Status[dict[str, Any]]:
    """Record what an organization of the registry (``organization_id``) or a named donor
    offers to an area of the caller's jurisdiction. An organization's desk offers only in
    the name of an organization it answers for (403 otherwise)."""
    by = acting(request, MATCH, OFFER)
    organization = referenced(request, organizations_visible_to, Action.VIEW_ORGANIZATIONS,
                              field="organization_id", pk=payload.organization_id)
    offer = offer_record(by=by, organization=organization, **payload.model_dump(
        exclude={"organization_id"}))
    return Status(201, offer_out(offer, by))


@router.get("/needs/offers/{id}", response=OfferOut)
def offer_get(request: HttpRequest, id: RecordId) -> dict[str, Any]:
    """An offer for an area inside or around the caller's jurisdiction (or of the caller's
    organization)."""
    return offer_out(get_object_or_404(_offers(request), pk=id), caller(request))


@router.get("/needs/offers/{id}/matches", response=list[OfferMatchOut])
@paginate(_pages(offer_match_out))
def offer_match_list(request: HttpRequest, id: RecordId) -> QuerySet:
    """Where an offer went, the newest first: its matches the caller sees (for an
    organization's desk, all of its own offer's)."""
    offer = get_object_or_404(_offers(request), pk=id)
    return matches_visible_to(caller(request)).filter(offer=offer).order_by("-matched_at",
                                                                              "-pk")


@router.post("/needs/offers/{id}/close", response=OfferOut, openapi_extra=REFUSALS)
def offer_close_post(request: HttpRequest, id: RecordId, payload: NeedsReasonIn) -> dict[str, Any]:
    """Close an offer; matches under way stay."""
    acting(request, MATCH, OFFER)
    offer = get_object_or_404(_offers(request), pk=id)
    return offer_out(offer_close(by=caller(request), offer=offer, reason=payload.reason),
                     caller(request))


@router.get("/needs/matches", response=list[MatchOut])
@paginate(_pages(match_out))
def match_list(request: HttpRequest, filters: Query[MatchFilter]) -> QuerySet:
    """Matches of the caller's grids, or (``waiting``) the deliveries waiting for them."""
    user = acting(request, POST)
    matches = deliveries_waiting(user) if filters.waiting else matches_visible_to(user)
    if filters.status:
        matches = matches.filter(status=filters.status)
    return filters.narrow(matches).order_by("-matched_at", "-pk")


@router.post("/needs/matches", response={201: MatchOut}, openapi_extra=REFUSALS)
def match_post(request: HttpRequest, payload: MatchIn) -> Status[dict[str, Any]]:
    """Give part of an offer to a need (at most what each still has, checked under a lock);
    the match is a delivery task for the person responsible."""
    by = acting(request, MATCH)
    need = referenced(request, needs_visible_to, POST, field="need_id", pk=payload.need_id)
    offer = referenced(request, offers_visible_to, POST, field="offer_id",
                       pk=payload.offer_id)
    assignee = None
    if payload.assignee_id is not None:
        assignee = User.objects.filter(pk=payload.assignee_id).first()
        if assignee is None:
            raise ValidationError({"assignee_id": _("There is no such user.")})
    return Status(201, match_out(match_confirm(by=by, need=need, offer=offer,
                                               quantity=payload.quantity, assignee=assignee,
                                               note=payload.note)))


@router.get("/needs/matches/{id}", response=MatchOut)
def match_get(request: HttpRequest, id: RecordId) -> dict[str, Any]:
    """A match of a need of the caller's grids."""
    return match_out(visible_one(request, matches_visible_to, POST, pk=id))


@router.post("/needs/matches/{id}/deliver", response=MatchOut, openapi_extra=REFUSALS)
def match_deliver_post(request: HttpRequest, id: RecordId, payload: DeliverIn
                       ) -> dict[str, Any]:
    """Confirm the delivery with the quantity that arrived: the grid worker of the need's
    grid or the need's poster (403 for anyone else)."""
    match = visible_one(request, matches_visible_to, POST, pk=id)
    return match_out(match_deliver(by=caller(request), match=match, quantity=payload.quantity,
                                   note=payload.note))


@router.post("/needs/matches/{id}/cancel", response=MatchOut, openapi_extra=REFUSALS)
def match_cancel_post(request: HttpRequest, id: RecordId, payload: NeedsReasonIn
                      ) -> dict[str, Any]:
    """Cancel a match not yet delivered: the need and the offer get its quantity back."""
    acting(request, MATCH)
    match = visible_one(request, matches_visible_to, POST, pk=id)
    return match_out(match_cancel(by=caller(request), match=match, reason=payload.reason))


@router.get("/needs/donations", response=list[DonationOut])
@paginate(_pages(donation_out))
def donation_list(request: HttpRequest, filters: Query[CodeFilter]) -> QuerySet:
    """Donations to the caller's jurisdiction, the latest first."""
    return filters.narrow(visible(request, donations_visible_to, POST)).order_by(
        "-donated_on", "-pk")


@router.post("/needs/donations", response={201: DonationOut}, openapi_extra=REFUSALS)
def donation_post(request: HttpRequest, payload: DonationIn) -> Status[dict[str, Any]]:
    """Record a gift made outside the board, to a grid or community of the caller's
    jurisdiction."""
    by = acting(request, MATCH)
    organization = referenced(request, organizations_visible_to, Action.VIEW_ORGANIZATIONS,
                              field="organization_id", pk=payload.organization_id)
    donation = donation_record(by=by, organization=organization,
                               **payload.model_dump(exclude={"organization_id"}))
    return Status(201, donation_out(donation))


@router.get("/needs/donations/summary/{code}", response=DonationSumsOut, auth=None)
def donation_summary(request: HttpRequest, code: str, period: Query[PeriodIn]
                     ) -> dict[str, Any]:
    """What was given in a district, street or community over a period (at most three
    years; by default the last year), in sums only: open to anyone. Donors are named only
    when they agreed; no need's text and no resident is ever in it."""
    area = public_area(code)
    chosen = public_period(period.model_dump(exclude_none=True))
    return {"code": area.code, "name": area.name, "start": chosen.start, "end": chosen.end,
            **donation_sums(area.code, chosen)}


@router.get("/needs", response=list[NeedOut])
@paginate(_pages(need_out))
def need_list(request: HttpRequest, filters: Query[NeedFilter]) -> QuerySet:
    """Needs of the caller's grids: by default the open and partly matched, the soonest
    needed first."""
    needs = visible(request, needs_visible_to, POST)
    needs = needs.filter(status=filters.status) if filters.status else needs.filter(
        status__in=(NeedStatus.OPEN, NeedStatus.PARTLY_MATCHED))
    return _narrowed(filters, needs).order_by("needed_by", "-posted_at", "pk")


@router.post("/needs", response={201: NeedOut}, openapi_extra=REFUSALS)
def need_create(request: HttpRequest, payload: NeedIn) -> Status[dict[str, Any]]:
    """Post a need of a grid of the caller's jurisdiction, or from an event or care visit
    they see (then in its grid, linked to it internally)."""
    by = acting(request, POST)
    event = referenced(request, events_visible_to, Action.VIEW_EVENTS, field="event_id",
                       pk=payload.event_id)
    visit = (referenced(request, visits_visible_to, POST,
                        field="care_visit_id", pk=payload.care_visit_id)
             if payload.care_visit_id is not None else None)
    need = need_post(by=by, event=event, care_visit=visit, **payload.model_dump(
        exclude={"event_id", "care_visit_id"}))
    return Status(201, need_out(need))


@router.get("/needs/{id}", response=NeedOut)
def need_get(request: HttpRequest, id: RecordId) -> dict[str, Any]:
    """A need of the caller's grids."""
    return need_out(visible_one(request, needs_visible_to, POST, pk=id))


@router.get("/needs/{id}/suggestions", response=list[SuggestionOut])
def need_suggestions(request: HttpRequest, id: RecordId) -> list[dict[str, Any]]:
    """The offers the caller sees that could meet the need, best first: same kind and
    category, an area holding its grid; by place, then quantity covered, then the earlier
    end of availability (the first 20)."""
    need = visible_one(request, needs_visible_to, POST, pk=id)
    user = caller(request)
    return [{"offer": offer_out(found.offer, user), "place": found.place,
             "covers": found.covers}
            for found in candidates_for(user, need)[:SUGGESTIONS_ANSWERED]]


@router.post("/needs/{id}/close", response=NeedOut, openapi_extra=REFUSALS)
def need_close_post(request: HttpRequest, id: RecordId, payload: NeedsReasonIn) -> dict[str, Any]:
    """Close a need (its poster, or staff who match needs); its matches must be delivered or
    cancelled first."""
    need = visible_one(request, needs_visible_to, POST, pk=id)
    return need_out(need_close(by=caller(request), need=need, reason=payload.reason))
