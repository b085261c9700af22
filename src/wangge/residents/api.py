"""API of a resident's own requests (诉求), for their session or token as ``/me/notices``:
list and file them, read one with its answers and ratings, and rate a closed one."""

import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from wangge.events.models import RATING_COMMENT_MAX, Satisfaction
from wangge.foundation.api_support import Pages, RecordId, acting, also_answers, caller
from wangge.foundation.permissions import Action

from .models import RequestKind, ResidentRequest
from .selectors import (
    own_requests,
    request_answers,
    request_ratings,
    request_reopened,
    resident_person,
    state_words,
)
from .services import REQUEST_CHARACTERS, resident_request_file, resident_request_rate

router = Router(tags=["residents"])
OWN = Action.VIEW_OWN_RECORD


class RequestIn(Schema):
    kind: RequestKind = Field(description="question, need or complaint")
    text: str = Field(min_length=1, max_length=REQUEST_CHARACTERS)


class RequestRatingIn(Schema):
    satisfaction: Satisfaction = Field(description="satisfied, basically (partly) or "
                                                   "unsatisfied")
    comment: str = Field("", max_length=RATING_COMMENT_MAX)


class AnswerOut(Schema):
    at: datetime.datetime
    text: str


class RatingOut(Schema):
    satisfaction: str
    comment: str
    at: datetime.datetime
    reopened: bool = Field(description="This rating opened the request again, one level up")


class MyRequestOut(Schema):
    id: int = Field(description="The request's id (in /me/requests/{id})")
    number: str = Field(description="The event's number, to quote to the grid worker")
    kind: RequestKind
    text: str
    state: str = Field(description="The event's state (reported … closed, declined, merged)")
    state_words: str = Field(description="How it stands, in the resident's words")
    asked_at: datetime.datetime
    deadline: datetime.datetime | None = Field(description="When it is to be answered; null "
                                                           "once no one acts on it any more")
    rating_open: bool = Field(description="Closed, and not rated since")


class MyRequestDetailOut(MyRequestOut):
    answers: list[AnswerOut] = Field(description="The results reported back, oldest first")
    ratings: list[RatingOut]
    reopened: bool = Field(description="A rating opened it again (it happens once)")


def request_out(found: ResidentRequest, *, rating_open: bool | None = None) -> dict[str, Any]:
    event = found.event
    waits = getattr(found, "rating_waits", False) if rating_open is None else rating_open
    return {"id": found.pk, "number": event.number, "kind": found.kind,
            "text": event.description, "state": event.state,
            "state_words": str(state_words(event)), "asked_at": found.created,
            "deadline": event.deadline if event.is_open else None,
            "rating_open": bool(waits)}


def request_detail_out(found: ResidentRequest) -> dict[str, Any]:
    event = found.event
    return {**request_out(found),
            "answers": [{"at": answer.at, "text": answer.text}
                        for answer in request_answers(event)],
            "ratings": [{"satisfaction": rating.satisfaction, "comment": rating.comment,
                         "at": rating.at, "reopened": rating.reopened}
                        for rating in request_ratings(event)],
            "reopened": request_reopened(event)}


class _RequestPages(Pages):
    def paginate_queryset(self, queryset: QuerySet, pagination: Pages.Input,
                          request: HttpRequest, **params: Any) -> dict[str, Any]:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page["items"] = [request_out(item) for item in page["items"]]
        return page


@router.get("/me/requests", response=list[MyRequestOut])
@paginate(_RequestPages)
def my_requests(request: HttpRequest) -> QuerySet:
    """The resident's own requests, the newest first (none while the account is linked to
    no person)."""
    return own_requests(resident_person(acting(request, OWN)))


@router.post("/me/requests", response={201: MyRequestDetailOut},
             openapi_extra=also_answers(422, meaning={422: gettext_lazy(
                 "The request breaks a rule (its kind, its length, too many open at once); "
                 "errors names each.")}))
def my_request_post(request: HttpRequest, payload: RequestIn) -> Status[dict[str, Any]]:
    """File a question, a need or a complaint: an event in the resident's own grid, under
    the kind's category (its deadline from the category's hours). 403 for an account
    linked to no person."""
    user = acting(request, OWN)
    filed = resident_request_file(by=user, kind=payload.kind, text=payload.text)
    return Status(201, request_detail_out(_own(request, filed.pk)))


def _own(request: HttpRequest, id: int) -> ResidentRequest:
    found = own_requests(resident_person(acting(request, OWN))).filter(pk=id).first()
    if found is None:
        raise Http404
    return found


@router.get("/me/requests/{id}", response=MyRequestDetailOut)
def my_request(request: HttpRequest, id: RecordId) -> dict[str, Any]:
    """One of the resident's own requests with its answers and ratings (404 for anyone
    else's)."""
    return request_detail_out(_own(request, id))


@router.post("/me/requests/{id}/rating", response={201: MyRequestDetailOut},
             openapi_extra=also_answers(422, meaning={422: gettext_lazy(
                 "The request is not closed, or was rated since it was closed; or a field "
                 "is invalid.")}))
def my_request_rate(request: HttpRequest, id: RecordId, payload: RequestRatingIn
                    ) -> Status[dict[str, Any]]:
    """Rate the answer to a closed request, once per closing. The first unsatisfied rating
    opens it again for the level above (``reopened``); a later one opens nothing."""
    found = _own(request, id)
    resident_request_rate(request=found, by=caller(request), satisfaction=payload.satisfaction,
                          comment=payload.comment)
    return Status(201, request_detail_out(_own(request, id)))
