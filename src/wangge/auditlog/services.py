"""Recording reads of personal data and security events in the chained log.

A read is recorded after the page or answer is computed, in a short transaction of its own.
``required=True`` (a full ID revealed, an export) fails closed: when the entry cannot be
written the caller refuses to show or send anything (``AccessLogUnavailableError``). Otherwise a
write the database refuses for now (SQLite busy) goes to the spool and is chained later; the
read goes on.
"""

import hashlib
import hmac
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from wangge.foundation.api_support import caller, stated_purpose
from wangge.foundation.client import client_address
from wangge.foundation.permissions import SensitiveField, sees_now, sees_unmasked

from . import chain
from .models import Entry, Kind, Purpose

# Ids kept per entry; the count is always the full count (an export names its query).
RECORD_IDS_KEPT = 1000


class AccessLogUnavailableError(Exception):
    """The log could not record a read that may not happen unrecorded."""

    message = _("The access log could not record this just now, so nothing is shown. "
                "Try again in a moment.")


def term_digest(term: str) -> str:
    """A keyed digest of a searched number: the same number gives the same digest (so the
    auditor can look one up), but the log alone does not give the number back."""
    key = (settings.WANGGE_ACCESS_LOG_KEY or settings.SECRET_KEY).encode()
    return hmac.new(key, term.encode(), hashlib.sha256).hexdigest()


def request_address(request: HttpRequest | None) -> str:
    return "" if request is None else client_address(request)


def purpose_text(code: str, words: str = "") -> str:
    """A purpose as stored: the chosen label, then the words typed ("Other: …")."""
    words = " ".join(words.split())
    if code not in Purpose.values:
        return words[:300]
    label = str(Purpose(code).label) if code != Purpose.OTHER else str(_("Other"))
    return f"{label}: {words}"[:300] if words else label[:300]


def unmasked_fields(user: Any, *, revealed: bool = False) -> list[str]:
    """The sensitive fields ``user`` sees unmasked now (purpose fields only once revealed)."""
    return [field.value for field in SensitiveField if sees_now(user, field, revealed=revealed)]


def access_record(*, by: Any, kind: Kind, request: HttpRequest | None,
                  fields: Iterable[str] = (), record_ids: Iterable[int] = (),
                  count: int | None = None, target: str = "", term: str = "",
                  purpose: str = "", required: bool = False) -> Entry | None:
    """Record one read of personal data by ``by``: which ``fields`` of which records (ids,
    or a ``target`` such as a report and scope, with ``count``), the ``term`` searched for
    (kept only as its digest), the ``purpose`` and the client address."""
    ids = list(record_ids)
    values = {
        # The system (a command run without --user) has no account: its command's name.
        "user_id": by.pk, "username": by.get_username() if by.pk else str(by), "kind": kind,
        "fields": ",".join(fields), "target": target[:200],
        "record_ids": ids[:RECORD_IDS_KEPT], "count": len(ids) if count is None else count,
        "term_digest": term_digest(term) if term else "", "purpose": purpose[:300],
        "client_address": request_address(request),
    }
    return _write(values, required=required)


def security_record(*, kind: Kind, user: Any = None, username: str = "",
                    request: HttpRequest | None = None, detail: str = "") -> Entry | None:
    """Record a sign-in, sign-out, failed sign-in or account change."""
    values = {
        "user_id": getattr(user, "pk", None),
        "username": (username or (user.get_username() if user is not None else ""))[:150],
        "kind": kind, "detail": detail[:300], "client_address": request_address(request),
    }
    return _write(values, required=False)


def _write(values: dict[str, Any], *, required: bool) -> Entry | None:
    try:
        return chain.append(values)
    except DatabaseError as error:
        if required:
            raise AccessLogUnavailableError from error
        chain.spool(values)
        return None


def person_reads_record(*, by: Any, request: HttpRequest | None, record_ids: Iterable[int],
                        kind: Kind = Kind.VIEW, revealed: bool = False, purpose: str = "",
                        searched: dict[SensitiveField, str] | None = None,
                        required: bool = False) -> Entry | None:
    """Record that ``by`` read these persons with the fields their role sees unmasked (the
    purpose fields too when ``revealed``), or searched them by a number (``searched``:
    field → normalised number). Nothing is written when nothing was unmasked or searched:
    a masked read leaves no trace and never writes."""
    fields = unmasked_fields(by, revealed=revealed)
    searched = searched or {}
    if not fields and not searched:
        return None
    term = searched.get(SensitiveField.PHONE) or searched.get(SensitiveField.ID_NUMBER, "")
    return access_record(
        by=by, kind=Kind.SEARCH if searched else kind, request=request,
        fields=sorted({*fields, *(field.value for field in searched)}),
        record_ids=record_ids, target="person", term=term, purpose=purpose, required=required)


def person_read_logged(request: HttpRequest, ids: list[int], *, kind: Kind,
                       searched: dict | None = None) -> None:
    """Log that the caller read these persons (a search by ID or phone as such), with the
    ``X-Purpose`` given; a read that reveals the full ID is not answered unlogged (503).
    Only after it does this request's answer show the purpose fields as the role may see
    them (``purpose_revealed``): a purpose sent where no read is logged reveals nothing."""
    user, purpose = caller(request), stated_purpose(request)
    revealing = bool(purpose) and sees_unmasked(user, SensitiveField.ID_NUMBER)
    person_reads_record(by=user, request=request, record_ids=ids, purpose=purpose,
                        kind=Kind.REVEAL if revealing and kind == Kind.VIEW else kind,
                        revealed=bool(purpose), searched=searched, required=revealing)
    request.purpose_revealed = bool(purpose)
