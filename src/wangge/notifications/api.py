"""API of the caller's own inbox."""

import datetime

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from wangge.foundation.api_support import Pages, RecordId, caller

from .delivery import describe, link_of
from .selectors import inbox_of
from .services import inbox_mark_read

router = Router(tags=["inbox"])


class NotificationOut(Schema):
    id: int
    kind: str = Field(description="The event loop's news (see the preferences), or measure")
    text: str
    event_id: int | None
    event_number: str | None
    link: str = Field(description="The page it opens")
    created_at: datetime.datetime
    read_at: datetime.datetime | None

    @staticmethod
    def resolve_text(notification) -> str:
        return describe(notification)

    @staticmethod
    def resolve_event_number(notification) -> str | None:
        return notification.event.number if notification.event is not None else None

    @staticmethod
    def resolve_link(notification) -> str:
        return link_of(notification)


class InboxFilter(Schema):
    unread: bool = False


class ReadIn(Schema):
    ids: list[RecordId] | None = Field(None, description="Leave out to mark every one read")


class ReadOut(Schema):
    marked: int


@router.get("/inbox", response=list[NotificationOut])
@paginate(Pages)
def inbox_list(request: HttpRequest, filters: Query[InboxFilter]) -> QuerySet:
    """The caller's own notifications, newest first."""
    notifications = inbox_of(caller(request))
    return notifications.filter(read_at__isnull=True) if filters.unread else notifications


@router.post("/inbox/read", response=ReadOut)
def inbox_read(request: HttpRequest, payload: ReadIn) -> dict:
    return {"marked": inbox_mark_read(user=caller(request), ids=payload.ids)}
