"""Reads of the log, for the auditor only (``Action.READ_LOGS``)."""

import datetime
import statistics
from collections import defaultdict
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from wangge.foundation.permissions import Action, can
from wangge.normalisers import normalise_phone, parse_resident_id
from wangge.normalisers.text import fold_width

from .models import READS, Entry
from .services import term_digest

# A day above this many times the user's own median day is unusual, given enough days.
MEDIAN_DAYS_NEEDED = 3


def entries_visible_to(user: Any) -> QuerySet[Entry]:
    if not can(user, Action.READ_LOGS):
        return Entry.objects.none()
    return Entry.objects.all()


def entries_search(user: Any, *, username: str = "", start: datetime.date | None = None,
                   end: datetime.date | None = None, kind: str = "", purpose: str = "",
                   term: str = "") -> QuerySet[Entry]:
    """Entries by user, days (both included, in the local time zone), kind, purpose (words
    it contains) and searched number (compared by its digest), newest first."""
    entries = entries_visible_to(user)
    if username:
        entries = entries.filter(username=username)
    if start:
        entries = entries.filter(at__gte=_day_start(start))
    if end:
        entries = entries.filter(at__lt=_day_start(end + datetime.timedelta(days=1)))
    if kind:
        entries = entries.filter(kind=kind)
    if purpose:
        entries = entries.filter(purpose__icontains=purpose)
    if term:
        entries = entries.filter(term_digest__in=[term_digest(form) for form in _forms(term)])
    return entries.order_by("-sequence")


@dataclass
class DayVolume:
    username: str
    day: datetime.date
    records: int
    usual: float | None  # the median of the user's other days in the range
    flagged: bool


def volumes(user: Any, *, start: datetime.date, end: datetime.date) -> list[DayVolume]:
    """Records read per user per day, flagged when above the daily threshold
    (``WANGGE_ACCESS_LOG_DAILY_LIMIT``) or above ``WANGGE_ACCESS_LOG_VOLUME_FACTOR`` times the
    user's own median day. Flagged first, then the largest."""
    rows = (entries_search(user, start=start, end=end).filter(kind__in=READS)
            .annotate(day=TruncDate("at")).values("username", "day")
            .annotate(records=Sum("count")).order_by())
    by_user: dict[str, dict[datetime.date, int]] = defaultdict(dict)
    for row in rows:
        by_user[row["username"]][row["day"]] = row["records"] or 0
    limit, factor = settings.WANGGE_ACCESS_LOG_DAILY_LIMIT, settings.WANGGE_ACCESS_LOG_VOLUME_FACTOR
    found = []
    for username, days in by_user.items():
        for day, records in days.items():
            others = [count for other, count in days.items() if other != day]
            usual = statistics.median(others) if len(others) >= MEDIAN_DAYS_NEEDED else None
            flagged = records > limit or (usual is not None and records > factor * max(usual, 1))
            found.append(DayVolume(username, day, records, usual, flagged))
    return sorted(found, key=lambda volume: (not volume.flagged, -volume.records,
                                             volume.username, volume.day))


def _forms(term: str) -> set[str]:
    """The normalised numbers a searched text may have been logged as (see
    ``people.selectors.sensitive_search_terms``)."""
    term = term.strip()
    forms = {fold_width(term).upper()}
    with suppress(ValidationError):
        forms.add(parse_resident_id(term).number)
    with suppress(ValidationError):
        forms.add(normalise_phone(term))
    return forms


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
