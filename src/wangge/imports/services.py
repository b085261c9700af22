"""Importing a department's spreadsheet: the one code path behind the command, the upload
page and the API.

A file is read row by row (memory stays flat), each row checked, chunks landed in bulk. By
default the whole file is one transaction: one rejected row and nothing is written.
"""

from array import array
from collections.abc import Callable, Hashable, Iterator
from dataclasses import asdict, dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from wangge.collector import rare_collections
from wangge.foundation.actors import Actor
from wangge.foundation.permissions import Action, require
from wangge.spreadsheets import (
    ColumnNames,
    HeaderMap,
    Table,
    UnreadableFileError,
    cell_text,
    read_table,
    usual_header,
)

from .cells import tidy
from .circumstances import PREFIX, population_kind, population_kinds
from .organizations import OrganizationImportKind
from .persons import PersonKind
from .places import BuildingKind, DwellingKind, FacilityImportKind
from .queue import queued_row_add
from .rows import AddressUnplacedError, Row, RowError, RowWarning

KINDS = {
    "persons": (PersonKind, Action.EDIT_PEOPLE),
    "buildings": (BuildingKind, Action.EDIT_PLACES),
    "dwellings": (DwellingKind, Action.EDIT_PLACES),
    "facilities": (FacilityImportKind, Action.EDIT_PLACES),
    "organizations": (OrganizationImportKind, Action.EDIT_ORGANIZATIONS),
}
CHUNK_ROWS = 5000


def import_kinds() -> dict[str, tuple[Any, Action]]:
    """Every kind of file: those registered in KINDS and one per population
    (``population-<key>``, read now, so a population added in the back office is importable
    at once)."""
    return {**KINDS, **{name: (kind, Action.EDIT_PEOPLE)
                        for name, kind in population_kinds().items()}}


def import_kind(name: str) -> tuple[Any, Action] | None:
    """One kind of file by its name (a population's read from the database only when asked
    for), or None."""
    if name in KINDS:
        return KINDS[name]
    if name.startswith(PREFIX) and (kind := population_kind(name.removeprefix(PREFIX))):
        return kind, Action.EDIT_PEOPLE
    return None


@dataclass
class Remark:
    """What the import says about one cell of a row: ``column`` is the column's header as
    written in the file (empty for the row as a whole)."""

    row: int
    column: str
    reason: str

    def line(self) -> str:
        if not self.column:
            return _("row %(row)d: %(reason)s") % {"row": self.row, "reason": self.reason}
        return _("row %(row)d, column %(column)s: %(reason)s") % {
            "row": self.row, "column": self.column, "reason": self.reason}


@dataclass
class Rejection(Remark):
    cells: list[Any] = field(repr=False, default_factory=list)


@dataclass
class ImportSummary:
    """What an import did, counted as the summary shows it: data rows only (the title and
    header rows above them, and blank lines, are not rows). Handed to the progress callback
    as it grows."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    queued: int = 0  # waiting in the address queue (imports/queue.py)
    warned: int = 0
    written: bool = False
    header_row: int = 0
    headers: list[str] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    warnings: list[Remark] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {name: value for name, value in asdict(self).items()
                if name in ("rows", "created", "updated", "unchanged", "rejected", "queued",
                            "warned")}


class _RolledBackError(Exception):
    """Raised inside the transaction to undo an import that had rejected rows."""


def import_file(
    *, kind: str, path: str | Path, by: Actor, department: str = "",
    overrides: dict[str, str] | None = None, partial: bool = False, sheet: str | None = None,
    progress: Callable[["ImportSummary"], None] | None = None,
) -> ImportSummary:
    """Import ``path`` as ``kind`` for ``by`` (a user, in their jurisdiction and with their
    role; or the command line's system actor, everywhere). Raises UnreadableFileError for a
    file that cannot be read at all (nothing written)."""
    found = import_kind(kind)
    if found is None:
        raise ValueError(f"no kind of file {kind!r}")
    kind_class, action = found
    require(by, action)
    handler = kind_class(by)
    try:
        header_map = HeaderMap(handler.headers, overrides)
    except ValidationError as error:
        raise UnreadableFileError(error.messages[0]) from error
    table = read_table(path, is_header=header_map.is_header, sheet=sheet)
    columns = _columns(table, header_map, handler)
    reason = _("Imported from %(file)s, sheet %(sheet)s") % {
        "file": table.source, "sheet": table.sheet}
    if department:
        reason += f" ({department})"
    summary = ImportSummary(headers=table.headers, header_row=table.header_row)
    names = ColumnNames(handler.headers, table.headers, columns)
    try:
        with transaction.atomic(), rare_collections():
            _import_rows(table, columns, names, handler, summary, reason, progress,
                         queue=by if partial else None)
            if summary.rejected and not partial:
                raise _RolledBackError
    except _RolledBackError:
        summary.created = summary.updated = summary.unchanged = 0
    else:
        summary.written = True
    summary.rejections.sort(key=lambda rejection: rejection.row)
    summary.warnings.sort(key=lambda warning: warning.row)
    return summary


def _columns(table: Table, header_map: HeaderMap, handler: Any) -> dict[str, int]:
    try:
        columns = header_map.columns(table.headers)
    except ValidationError as error:
        raise UnreadableFileError(f"{table.source}: {error.messages[0]}") from error
    if missing := [name for name in handler.required_columns if name not in columns]:
        raise UnreadableFileError(
            _("%(file)s has no column %(columns)s (its header row, row %(row)d, reads: "
              "%(headers)s). Add the column, or start from the template of this kind of file.")
            % {"file": table.source, "row": table.header_row,
               "columns": "、".join(usual_header(handler.headers, name) for name in missing),
               "headers": ", ".join(header for header in table.headers if header)}
        )
    return columns


def _data_rows(table: Table, columns: dict[str, int]) -> Iterator[Row]:
    for number, cells in table.rows:
        if not any(map(cell_text, cells)):
            continue  # blank lines are not rows
        yield Row(number=number, cells=list(cells), values={
            name: cells[index] if index < len(cells) else None
            for name, index in columns.items()})


def _import_rows(
    table: Table, columns: dict[str, int], names: ColumnNames, handler: Any,
    summary: ImportSummary, reason: str, progress: Callable[[ImportSummary], None] | None,
    queue: "Actor | None" = None,
) -> None:
    """Check and land the rows chunk by chunk. With ``queue`` (a partial import's actor), a
    row whose address names no single building waits in the address queue instead of being
    rejected."""
    first_rows = FirstRows()
    rows = _data_rows(table, columns)
    marker, example = next(iter(handler.example.items()))
    example = tidy(example)
    while chunk := list(islice(rows, CHUNK_ROWS)):
        ready = []
        for row in chunk:
            summary.rows += 1
            if tidy(cell_text(row.values.get(marker))) == example:
                _reject(summary, names, row, RowError({marker: [_(
                    "This is the template's example row; delete it or write a real record "
                    "over it.")]}))
                continue
            try:
                prepared = handler.prepare(row)
            except AddressUnplacedError as error:
                if queue is None:
                    _reject(summary, names, row, error)
                else:
                    queued_row_add(row=row, refusal=error.refusal, by=queue,
                                   source=reason)
                    summary.queued += 1
                continue
            except RowError as error:
                _reject(summary, names, row, error)
                continue
            earlier = first_rows.first(prepared.key, row.number)
            if earlier != row.number:
                _reject(summary, names, row, RowError({handler.key_column: [
                    str(handler.duplicate) % {"row": earlier}]}))
                continue
            ready.append((row, prepared))
        landed = []
        for (row, prepared), outcome in zip(ready, handler.write(ready, reason=reason),
                                            strict=True):
            if isinstance(outcome, RowError):
                _reject(summary, names, row, outcome)
            else:
                setattr(summary, outcome.value, getattr(summary, outcome.value) + 1)
                landed.append((row, prepared))
        _warn(summary, names, handler.plausible(landed))
        if progress:
            progress(summary)


class FirstRows:
    """Which row first had each record's key, to name it when the key comes again.

    A dict of hashes to row numbers costs about 100 bytes a key (two Python ints and a slot);
    here a key costs 12: its 64-bit hash packed into one of 4,096 byte strings, found there by
    ``bytes.find`` (C), and the row number in a matching array."""

    BUCKETS = 4096

    def __init__(self) -> None:
        self._hashes = [bytearray() for _ in range(self.BUCKETS)]
        self._rows = [array("L") for _ in range(self.BUCKETS)]

    def first(self, key: Hashable, row: int) -> int:
        """The first row with ``key``; ``row`` (remembered) when the key is new."""
        code = hash(key) & 0xFFFF_FFFF_FFFF_FFFF
        hashes = self._hashes[code % self.BUCKETS]
        packed = code.to_bytes(8, "little")
        at = hashes.find(packed)
        while at % 8:  # a match across two hashes is not one; -1 % 8 is 7, so also skip it
            if at == -1:
                hashes += packed
                self._rows[code % self.BUCKETS].append(row)
                return row
            at = hashes.find(packed, at + 1)
        return self._rows[code % self.BUCKETS][at // 8]


def _reject(summary: ImportSummary, names: ColumnNames, row: Row, error: RowError) -> None:
    summary.rejected += 1
    for name, messages in error.errors.items():
        summary.rejections.append(Rejection(row=row.number, column=names[name],
                                            reason=" ".join(messages), cells=row.cells))


def _warn(summary: ImportSummary, names: ColumnNames, warnings: list[RowWarning]) -> None:
    """Count each warned row once, however many of its cells are doubted."""
    rows: set[int] = set()  # a row lands in one chunk: it is warned in one call
    for warning in warnings:
        if warning.row not in rows:
            summary.warned += 1
            rows.add(warning.row)
        summary.warnings.append(Remark(row=warning.row, column=names[warning.field],
                                       reason=warning.reason))

