"""Bounds on what a spreadsheet may expand to, from the settings (docs/imports.md, "Limits on
what clients send"): an xlsx's parts are measured before any reader opens it, and rows,
columns and cells as they are read, so a small file cannot make an import read for minutes
or take gigabytes. Each bound is refused with one message naming it."""

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

from .workbooks import UnreadableFileError

# Members smaller than this are not held to the compression ratio: a short, regular part
# (styles, an empty sheet) may compress far better than any sheet of data does.
RATIO_FROM_BYTES = 1 << 20


@dataclass(frozen=True)
class Bounds:
    uncompressed: int  # bytes, all the parts of an xlsx together
    ratio: int  # uncompressed size of a part over its compressed size
    rows: int
    columns: int
    cell_chars: int

    @classmethod
    def from_settings(cls) -> "Bounds":
        return cls(uncompressed=settings.WANGGE_SHEET_MAX_UNCOMPRESSED_MB << 20,
                   ratio=settings.WANGGE_SHEET_MAX_RATIO, rows=settings.WANGGE_SHEET_MAX_ROWS,
                   columns=settings.WANGGE_SHEET_MAX_COLUMNS,
                   cell_chars=settings.WANGGE_SHEET_MAX_CELL_CHARS)

    @property
    def line_chars(self) -> int:
        """The longest line of a text file: every column full, with its quotes and comma."""
        return self.columns * (self.cell_chars + 3)


def archive_checked(path: Path, bounds: Bounds) -> None:
    """Refuse an xlsx whose parts would expand beyond ``bounds``, from the sizes its zip
    directory declares. Both readers stop at a part's declared size (calamine refuses a part
    holding more), so the declared sizes bound what is read. Not a zip: nothing to check."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile):
        return  # an xls, or damaged: the reader says what is wrong with it
    with archive:
        infos = archive.infolist()
    total = sum(info.file_size for info in infos)
    if total > bounds.uncompressed:
        raise UnreadableFileError(_(
            "%(file)s would expand to %(size)d MB when opened, more than the %(limit)d MB "
            "a spreadsheet may; split it into smaller files.")
            % {"file": path.name, "size": total >> 20, "limit": bounds.uncompressed >> 20})
    for info in infos:
        if (info.file_size > RATIO_FROM_BYTES
                and info.file_size > bounds.ratio * max(info.compress_size, 1)):
            raise UnreadableFileError(_(
                "%(file)s is compressed %(ratio)d times over (in %(part)s), far more than "
                "any spreadsheet's data; it is refused as a possible decompression bomb.")
                % {"file": path.name, "part": info.filename,
                   "ratio": info.file_size // max(info.compress_size, 1)})


def rows_bounded(name: str, rows: Iterator[tuple[int, list[Any]]], bounds: Bounds, *,
                 cells_checked: bool = False) -> Iterator[tuple[int, list[Any]]]:
    """``rows``, refused past the last row, column or cell length ``bounds`` allow.
    ``cells_checked``: the reader bounds each cell itself (the CSV reader does). Closes
    ``rows`` when it ends, refused or not, so a reader process ends then, not at collection."""
    try:
        for number, cells in rows:
            if number > bounds.rows:
                raise UnreadableFileError(_(
                    "%(file)s has more than %(rows)d rows; split it into smaller files.")
                    % {"file": name, "rows": bounds.rows})
            if len(cells) > bounds.columns:
                raise UnreadableFileError(_(
                    "%(file)s row %(row)d has more than %(columns)d columns.")
                    % {"file": name, "row": number, "columns": bounds.columns})
            if not cells_checked:
                for cell in cells:
                    if type(cell) is str and len(cell) > bounds.cell_chars:
                        raise cell_too_long(name, number, bounds)
            yield number, cells
    finally:
        if close := getattr(rows, "close", None):
            close()


def cell_too_long(name: str, row: int, bounds: Bounds) -> UnreadableFileError:
    return UnreadableFileError(_(
        "%(file)s row %(row)d has a cell longer than %(chars)d characters.")
        % {"file": name, "row": row, "chars": bounds.cell_chars})


def lines_bounded(name: str, file: IO[str], bounds: Bounds) -> Iterator[str]:
    """The lines of a text file, refused at the first longer than ``bounds`` allow, before
    more of it is read."""
    limit = bounds.line_chars
    number = 0
    while line := file.readline(limit + 1):
        number += 1
        if len(line) > limit:
            raise UnreadableFileError(_(
                "%(file)s line %(line)d is longer than %(chars)d characters.")
                % {"file": name, "line": number, "chars": limit})
        yield line
