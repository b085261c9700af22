"""API for the auditor: the access and security log, and unusual volumes per user.

Only a role with ``READ_LOGS`` reads it (403 for every other). The log has no write
or delete operation here or anywhere else: entries are appended by the reads they record.
"""

import datetime

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from wangge.foundation.api_support import Pages, acting
from wangge.foundation.permissions import Action

from .models import Entry, Kind
from .selectors import DayVolume, entries_search, volumes

router = Router(tags=["access log"])
DEFAULT_DAYS = 30


class EntryOut(Schema):
    sequence: int
    at: datetime.datetime
    username: str
    kind: Kind
    fields: list[str]
    target: str
    record_ids: list[int]
    count: int
    term_digest: str
    purpose: str
    client_address: str
    detail: str
    hash: str

    @staticmethod
    def resolve_fields(entry: Entry) -> list[str]:
        return [name for name in entry.fields.split(",") if name]


class EntryFilter(Schema):
    username: str = Field("", max_length=150)
    start: datetime.date | None = Field(None, description="First day (local time)")
    end: datetime.date | None = Field(None, description="Last day, included")
    kind: Kind | None = None
    purpose: str = Field("", max_length=100, description="Words the purpose contains")
    term: str = Field("", max_length=40,
                      description="An ID number or phone: entries that searched for it")


class VolumeOut(Schema):
    username: str
    day: datetime.date
    records: int
    usual: float | None = Field(description="The median of the user's other days")
    flagged: bool


class VolumeFilter(Schema):
    start: datetime.date | None = Field(None, description=f"Default: {DEFAULT_DAYS} days ago")
    end: datetime.date | None = Field(None, description="Default: today")


@router.get("/access-log", response=list[EntryOut])
@paginate(Pages)
def access_log(request: HttpRequest, filters: Query[EntryFilter]) -> list[Entry]:
    user = acting(request, Action.READ_LOGS)
    return entries_search(user, username=filters.username, start=filters.start,
                          end=filters.end, kind=filters.kind or "", purpose=filters.purpose,
                          term=filters.term)


@router.get("/access-log/volumes", response=list[VolumeOut])
def access_log_volumes(request: HttpRequest, filters: Query[VolumeFilter]) -> list[DayVolume]:
    """Records read per user per day, unusual days (``flagged``) first."""
    user = acting(request, Action.READ_LOGS)
    end = filters.end or timezone.localdate()
    start = filters.start or end - datetime.timedelta(days=DEFAULT_DAYS)
    return volumes(user, start=start, end=end)
