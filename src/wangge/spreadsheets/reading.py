"""Reading the spreadsheets departments send: xlsx and xls (see workbooks.py: python-calamine,
or openpyxl streaming a large sheet), CSV in UTF-8 (with or without BOM), UTF-16 (Excel's
"Unicode text") or GBK/GB18030.

A file is read as a :class:`Table`: the header row found below any title rows, then the data
rows one at a time, each with its row number in the file as a person sees it in Excel.
"""

import codecs
import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from .cells import cell_text
from .limits import Bounds, archive_checked, cell_too_long, lines_bounded, rows_bounded
from .workbooks import UnreadableFileError, workbook_rows

# The header is looked for among the first rows; titles and notes above it are skipped.
HEADER_SEARCH_ROWS = 30
# How much of a text file is looked at to tell its encoding and delimiter.
SNIFF_BYTES = 1 << 20


@dataclass
class Table:
    source: str
    sheet: str
    header_row: int
    headers: list[str]
    rows: Iterator[tuple[int, list[Any]]]


def read_table(
    path: str | Path, *, is_header: Callable[[str], bool], sheet: str | None = None
) -> Table:
    """Open ``path`` and find its header: the first of the top rows with the most cells that
    ``is_header`` recognises (at least two, or one for a one-column file)."""
    path = Path(path)
    try:
        with path.open("rb") as file:
            magic = file.read(8)
    except OSError as error:
        raise UnreadableFileError(_("Cannot open %(file)s: %(error)s")
                             % {"file": path.name, "error": error.strerror}) from error
    bounds = Bounds.from_settings()
    if magic.startswith(b"PK") or magic.startswith(b"\xd0\xcf\x11\xe0"):
        archive_checked(path, bounds)
        sheet_name, sheet_rows = workbook_rows(path, sheet)
        rows = _PushBack(rows_bounded(path.name, sheet_rows, bounds))
    else:
        sheet_name, rows = path.name, _text_rows(path, bounds)
    header_row, headers = _find_header(path.name, rows, is_header)
    rows.rewind_after(header_row)
    return Table(source=path.name, sheet=sheet_name, header_row=header_row,
                 headers=headers, rows=rows)


def _find_header(
    name: str, rows: "_PushBack", is_header: Callable[[str], bool]
) -> tuple[int, list[str]]:
    best: tuple[int, int, list[str]] | None = None
    for number, cells in rows:
        texts = [cell_text(cell) for cell in cells]
        while texts and not texts[-1]:
            texts.pop()
        matches = sum(1 for text in texts if text and is_header(text))
        if matches and (best is None or matches > best[0]):
            best = (matches, number, texts)
        if number >= HEADER_SEARCH_ROWS or (best and best[0] >= 2 and not matches):
            break
    if best is None or (best[0] < 2 and len([t for t in best[2] if t]) > 1):
        raise UnreadableFileError(
            _("%(file)s has no header row with known column names in its first %(rows)d rows "
              "(for example 姓名, 身份证号, 手机号).") % {"file": name, "rows": HEADER_SEARCH_ROWS}
        )
    return best[1], best[2]


def _text_encoding(head: bytes) -> str:
    """UTF-16 and UTF-8 by their BOM, then strict UTF-8, then GB18030 (a superset of GBK).
    GBK text is almost never valid UTF-8, so trying UTF-8 strictly first does not misread it."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _text_rows(path: Path, bounds: Bounds) -> "_PushBack":
    with path.open("rb") as file:
        head = file.read(SNIFF_BYTES)
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UnreadableFileError(_("%(file)s is neither a workbook nor a text (CSV) file.")
                             % {"file": path.name})
    encoding = _text_encoding(head)
    lines = head.decode(encoding, errors="ignore")[:65536].splitlines()
    # The delimiter is the one found on most lines (title rows above the header have none);
    # csv.Sniffer gives up on files whose first lines are titles.
    delimiter = max(",\t;|", key=lambda mark: sum(mark in line for line in lines))
    return _PushBack(rows_bounded(path.name, _decoded_rows(path, encoding, delimiter, bounds),
                                  bounds, cells_checked=True))


def _decoded_rows(path: Path, encoding: str, delimiter: str, bounds: Bounds
                  ) -> Iterator[tuple[int, list[Any]]]:
    # The csv module's own bound on a field (process-wide), so that a quoted field running
    # over many lines stops growing at the cell bound.
    csv.field_size_limit(bounds.cell_chars)
    with path.open(encoding=encoding, errors="strict", newline="") as file:
        reader = csv.reader(lines_bounded(path.name, file, bounds), delimiter=delimiter)
        try:
            for cells in reader:
                yield reader.line_num, cells
        except UnicodeDecodeError as error:
            raise UnreadableFileError(
                _("%(file)s mixes text encodings: line %(line)d is not %(encoding)s; save the "
                  "file again as UTF-8.")
                % {"file": path.name, "line": reader.line_num + 1, "encoding": encoding}
            ) from error
        except csv.Error as error:
            if "field limit" in str(error):
                raise cell_too_long(path.name, reader.line_num, bounds) from error
            raise UnreadableFileError(_("%(file)s line %(line)d is not valid CSV: %(error)s")
                                 % {"file": path.name, "line": reader.line_num,
                                    "error": error}) from error


class _PushBack(Iterator[tuple[int, list[Any]]]):
    """An iterator that can be read ahead while finding the header and then rewound to just
    after it, without holding the rest of the file."""

    def __init__(self, rows: Iterator[tuple[int, list[Any]]]):
        self._rows = rows
        self._seen: list[tuple[int, list[Any]]] = []
        self._recording = True

    def __next__(self) -> tuple[int, list[Any]]:
        if not self._recording and self._seen:
            return self._seen.pop(0)
        row = next(self._rows)
        if self._recording:
            self._seen.append(row)
        return row

    def rewind_after(self, header_row: int) -> None:
        self._recording = False
        self._seen = [row for row in self._seen if row[0] > header_row]
