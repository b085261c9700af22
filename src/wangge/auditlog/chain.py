"""The hash chain: append an entry, verify the whole chain, prune entries past retention.

An append locks the one ``ChainHead`` row (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite
the transaction itself is ``BEGIN IMMEDIATE``, settings.py, which takes the only write lock),
so concurrent writers queue instead of both chaining onto the same previous entry.

An entry that could not be written (SQLite busy past its timeout) and may be written later
goes to a spool file (one JSON line each, under a file lock) and is chained by the next
append outside a transaction, or by ``wangge audit flush``. Nothing is silently lost.
"""

import datetime
import fcntl
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import GENESIS, ChainHead, Entry

# The fields a hash covers, in order; changing this list breaks every existing chain.
HASHED = ("sequence", "at", "user_id", "username", "kind", "fields", "target", "record_ids",
          "count", "term_digest", "purpose", "client_address", "detail", "previous_hash")


def entry_hash(entry: Entry) -> str:
    """SHA-256 of the entry's canonical JSON (the previous hash included)."""
    values: list[Any] = []
    for name in HASHED:
        value = getattr(entry, name)
        if isinstance(value, datetime.datetime):
            value = value.astimezone(datetime.UTC).isoformat(timespec="microseconds")
        values.append(value)
    canonical = json.dumps(values, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def append(values: dict[str, Any]) -> Entry:
    """Chain one entry made of ``values`` (``at`` defaults to now); raises the database's
    error when it cannot be written. Spooled entries go first when nothing else is open."""
    pending = [] if transaction.get_connection().in_atomic_block else _spool_take()
    try:
        with transaction.atomic():
            head = _locked_head()
            for spooled in pending:
                _chain(head, spooled)
            entry = _chain(head, values)
            ChainHead.objects.filter(pk=head.pk).update(sequence=head.sequence, hash=head.hash)
    except BaseException:
        _spool_put(pending)
        raise
    return entry


def flush() -> int:
    """Chain the spooled entries now; how many there were."""
    pending = _spool_take()
    if not pending:
        return 0
    try:
        with transaction.atomic():
            head = _locked_head()
            for spooled in pending:
                _chain(head, spooled)
            ChainHead.objects.filter(pk=head.pk).update(sequence=head.sequence, hash=head.hash)
    except BaseException:
        _spool_put(pending)
        raise
    return len(pending)


def spool(values: dict[str, Any]) -> None:
    """Keep an entry that could not be written now, to be chained later."""
    _spool_put([values])


def _locked_head() -> ChainHead:
    head = ChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        # Only on an empty database (a flushed test database): start after the last entry.
        last = Entry.objects.order_by("-sequence").first()
        head = ChainHead.objects.create(
            pk=1, sequence=last.sequence if last else 0, hash=last.hash if last else GENESIS)
    return head


def _chain(head: ChainHead, values: dict[str, Any]) -> Entry:
    entry = Entry(**{**values, "at": values.get("at") or timezone.now()},
                  sequence=head.sequence + 1, previous_hash=head.hash)
    entry.hash = entry_hash(entry)
    entry.save(force_insert=True)
    head.sequence, head.hash = entry.sequence, entry.hash
    return entry


@contextmanager
def _spool_file() -> Iterator[IO[str]]:
    path = Path(settings.WANGGE_ACCESS_LOG_SPOOL)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+", encoding="utf-8") as file:
        fcntl.flock(file, fcntl.LOCK_EX)
        try:
            yield file
        finally:
            fcntl.flock(file, fcntl.LOCK_UN)


def _spool_put(entries: list[dict[str, Any]]) -> None:
    if not entries:
        return
    with _spool_file() as file:
        for values in entries:
            at = values.get("at") or timezone.now()
            file.write(json.dumps({**values, "at": at.isoformat()}, ensure_ascii=False) + "\n")
        file.flush()


def _spool_take() -> list[dict[str, Any]]:
    path = Path(settings.WANGGE_ACCESS_LOG_SPOOL)
    if not path.exists() or path.stat().st_size == 0:
        return []
    with _spool_file() as file:
        file.seek(0)
        lines = file.read().splitlines()
        file.truncate(0)
    entries = []
    for line in lines:
        values = json.loads(line)
        values["at"] = datetime.datetime.fromisoformat(values["at"])
        entries.append(values)
    return entries


@dataclass
class Verdict:
    checked: int = 0
    head_sequence: int = 0
    head_hash: str = GENESIS
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def verify() -> Verdict:
    """Walk the chain from its base: each entry's hash must match its content, each must
    name the previous entry's hash, numbers must follow each other, and the last must be
    the head. Names every entry altered or missing."""
    head = ChainHead.objects.filter(pk=1).first() or ChainHead(pk=1)
    verdict = Verdict(head_sequence=head.sequence, head_hash=head.hash)
    expected_sequence, expected_previous = head.base_sequence + 1, head.base_hash
    for entry in Entry.objects.order_by("sequence").iterator(chunk_size=2000):
        verdict.checked += 1
        if entry.sequence > expected_sequence:
            verdict.problems.append(_missing(expected_sequence, entry.sequence - 1))
        elif entry.previous_hash != expected_previous:
            verdict.problems.append(
                f"entry {entry.sequence}: does not follow entry {entry.sequence - 1} "
                "(that entry was altered, or this one's link was)")
        if entry_hash(entry) != entry.hash:
            verdict.problems.append(f"entry {entry.sequence}: altered (its hash does not "
                                    "match its content)")
        expected_sequence, expected_previous = entry.sequence + 1, entry.hash
    if head.sequence >= expected_sequence:
        verdict.problems.append(_missing(expected_sequence, head.sequence))
    elif expected_previous != head.hash:
        verdict.problems.append(f"the head does not match entry {expected_sequence - 1}")
    return verdict


def _missing(first: int, last: int) -> str:
    if first == last:
        return f"entry {first}: removed"
    return f"entries {first}–{last}: removed"


def prune(*, before: datetime.datetime) -> int:
    """Remove the oldest entries made before ``before``, from the start of the chain only,
    moving the chain's base past them; the prune itself is chained. How many went."""
    with transaction.atomic():
        head = _locked_head()
        doomed = Entry.objects.filter(sequence__gt=head.base_sequence, at__lt=before)
        first_kept = (Entry.objects.filter(sequence__gt=head.base_sequence, at__gte=before)
                      .order_by("sequence").first())
        if first_kept is not None:
            doomed = doomed.filter(sequence__lt=first_kept.sequence)
        first, last = doomed.order_by("sequence").first(), doomed.order_by("-sequence").first()
        if first is None or last is None:
            return 0
        count, _ = doomed.delete()
        head.base_sequence, head.base_hash = last.sequence, last.hash
        _chain(head, {"kind": "prune", "count": count,
                      "detail": f"entries {first.sequence}–{last.sequence} "
                                f"before {before.date().isoformat()}"})
        ChainHead.objects.filter(pk=head.pk).update(
            sequence=head.sequence, hash=head.hash, base_sequence=head.base_sequence,
            base_hash=head.base_hash)
    return count
