"""Workbooks (xlsx and xls) read row by row, by one of two readers that give the same rows.

python-calamine is fast (about 4 µs a row) but reads the whole sheet into memory before the
first row comes out (about 0.4 KB a row; python-calamine cannot iterate lazily, see
dimastbk/python-calamine#42). openpyxl's read-only mode parses the sheet as it goes, so memory
stays nearly flat (it keeps an emptied element of about 85 bytes per row parsed, at most about
90 MB at Excel's limit of 1,048,576 rows), but it is about ten times slower; it runs in a
child process, so the reading overlaps with the import's own work. So an xlsx whose sheet
(with its shared strings) is more than STREAM_ABOVE_BYTES uncompressed — about 45,000 rows of
six columns — is streamed through openpyxl; smaller ones, and every xls (65,536 rows at most),
go through calamine.

Both readers give rows as calamine does, so an import never depends on which one read it: the
row number as Excel shows it, cells from column A, an empty cell as ``""``, every number as a
float (Excel stores nothing else: an ID typed as a number has already lost its last digits,
and shows it), a date cell as a date (a datetime when it has a time of day), a formula as its
last computed value and an error value (``#REF!``) as an empty cell. Trailing empty cells and
trailing blank rows are dropped.
"""

import datetime
import multiprocessing
import os
import queue
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection
from pathlib import Path, PurePosixPath
from typing import Any
from xml.etree import ElementTree

import openpyxl
import python_calamine
from django.utils.translation import gettext as _
from openpyxl.cell.cell import ERROR_CODES

from wangge.collector import rare_collections

# Uncompressed bytes of a sheet's XML and the shared strings above which an xlsx is streamed.
# A six-column row takes about 350 bytes of XML, and about as much in calamine's memory.
STREAM_ABOVE_BYTES = 16 << 20
# Rows the streaming reader hands over at a time, and how many batches it may read ahead.
STREAM_BATCH_ROWS = 1000
STREAM_BATCHES_AHEAD = 50

Rows = Iterator[tuple[int, list[Any]]]

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATION = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_MIDNIGHT = datetime.time()
_EXCEL_ERRORS = frozenset(ERROR_CODES)


class UnreadableFileError(Exception):
    """The file cannot be read as a table; the message is one line for a person."""


def workbook_rows(path: Path, sheet: str | None, *, stream: bool | None = None
                  ) -> tuple[str, Rows]:
    """The sheet's name (``sheet``, or the first) and its rows. ``stream`` chooses the reader;
    by default the sheet's size does (see the module's docstring)."""
    if stream is None:
        stream = sheet_bytes(path, sheet) > STREAM_ABOVE_BYTES
    name, rows = _streamed_rows(path, sheet) if stream else _calamine_rows(path, sheet)
    return name, _trimmed(rows)


def sheet_bytes(path: Path, sheet: str | None = None) -> int:
    """The uncompressed size of an xlsx sheet's XML plus its shared strings; 0 for an xls or
    a file that is not a readable xlsx (calamine then says what is wrong with it)."""
    try:
        with zipfile.ZipFile(path) as archive:
            part = sheet_part(archive, sheet)
            if part is None:
                return 0
            names = set(archive.namelist())
            return sum(archive.getinfo(name).file_size
                       for name in (part, "xl/sharedStrings.xml") if name in names)
    except (OSError, zipfile.BadZipFile, KeyError, ElementTree.ParseError):
        return 0


def sheet_part(archive: zipfile.ZipFile, sheet: str | None = None) -> str | None:
    """The archive member holding the sheet named ``sheet`` (or the first sheet's)."""
    sheets = ElementTree.fromstring(archive.read("xl/workbook.xml")).iter(f"{_MAIN}sheet")
    found = next((element for element in sheets
                  if sheet is None or element.get("name") == sheet), None)
    if found is None:
        return None
    relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = next((relation.get("Target", "") for relation in relations
                   if relation.get("Id") == found.get(f"{_RELATION}id")), None)
    if not target:
        return None
    # Targets are relative to xl/, or absolute within the package.
    return target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl", target))


def _calamine_rows(path: Path, sheet: str | None) -> tuple[str, Rows]:
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        worksheet = (workbook.get_sheet_by_name(sheet) if sheet
                     else workbook.get_sheet_by_index(0))
    except python_calamine.WorksheetNotFound as error:
        raise UnreadableFileError(_("%(file)s has no sheet named %(sheet)s.")
                            % {"file": path.name, "sheet": sheet}) from error
    except Exception as error:  # calamine raises many kinds for a damaged file
        raise UnreadableFileError(_("%(file)s is not a readable Excel workbook (%(error)s).")
                            % {"file": path.name, "error": error}) from error
    # iter_rows starts at row 1 but at the first column holding a value.
    indent = [""] * (worksheet.start[1] if worksheet.start else 0)
    rows = worksheet.iter_rows()
    return worksheet.name, enumerate((indent + row for row in rows) if indent else rows,
                                     start=1)


def _streamed_rows(path: Path, sheet: str | None) -> tuple[str, Rows]:
    """openpyxl's streaming reader, run in a child process that hands the rows over in
    batches: it is the slow part of a large import, and this way it runs on a second core
    while the import checks and writes what it has been given."""
    # A fresh interpreter, not a fork: the reader needs nothing but the path, and a fork of a
    # process with threads may inherit a lock that one of them held.
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    reader = context.Process(target=_stream_sheet, args=(path, sheet, sender), daemon=True)
    reader.start()
    sender.close()  # the reader holds the only writing end: if it dies, reading ends

    def received() -> tuple[str, Any]:
        try:
            return receiver.recv()
        # It died (killed, out of memory): before a message, or in the middle of one.
        except (EOFError, OSError):
            return "unreadable", _("the reader process stopped")

    def stop() -> None:
        reader.kill()
        reader.join()
        receiver.close()

    kind, title = received()
    if kind != "sheet":
        stop()
        raise _unreadable(path, sheet, kind, title)

    def rows() -> Rows:
        try:
            while (message := received())[0] == "rows":
                yield from message[1]
            if message[0] != "end":
                raise _unreadable(path, sheet, *message)
        finally:
            stop()

    return title, rows()


def _stream_sheet(path: Path, sheet: str | None, sender: Connection) -> None:
    """The reader process. Its messages wait in a queue of STREAM_BATCHES_AHEAD batches
    (about 20 MB at most) that a thread sends on, so reading goes on while the import is
    busy; if the import has gone, the process ends."""
    outbox: queue.Queue = queue.Queue(maxsize=STREAM_BATCHES_AHEAD)

    def send_on() -> None:
        try:
            while (message := outbox.get()) is not None:
                sender.send(message)
        except OSError:  # the importing process is gone: nobody is reading
            os._exit(0)

    sending = threading.Thread(target=send_on, daemon=True)
    sending.start()
    with rare_collections():
        _read_sheet(path, sheet, outbox.put)
    outbox.put(None)
    sending.join()
    sender.close()


def _read_sheet(path: Path, sheet: str | None, send: Callable[[tuple[str, Any]], None]
                ) -> None:
    """Send ("sheet", title), then ("rows", batch) until ("end", "") — or ("no sheet", "")
    or ("unreadable", what went wrong) instead."""
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl, zipfile and the XML parser each raise their own
        send(("unreadable", str(error)))
        return
    if sheet and sheet not in workbook.sheetnames:
        send(("no sheet", ""))
        return
    worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
    # The rows the file holds, not as many as its <dimension> claims (often wrong or absent).
    worksheet.reset_dimensions()
    send(("sheet", worksheet.title))
    batch: list[tuple[int, list[Any]]] = []
    try:
        for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            batch.append((number, [_as_calamine(value) for value in values]))
            if len(batch) == STREAM_BATCH_ROWS:
                send(("rows", batch))
                batch = []
    except (ElementTree.ParseError, zipfile.BadZipFile, zlib.error, EOFError,
            ValueError) as error:
        send(("rows", batch))
        send(("unreadable", str(error)))
        return
    send(("rows", batch))
    send(("end", ""))


def _unreadable(path: Path, sheet: str | None, kind: str, detail: str) -> UnreadableFileError:
    if kind == "no sheet":
        return UnreadableFileError(_("%(file)s has no sheet named %(sheet)s.")
                                   % {"file": path.name, "sheet": sheet})
    return UnreadableFileError(_("%(file)s is not a readable Excel workbook (%(error)s).")
                               % {"file": path.name, "error": detail})


def _as_calamine(value: Any) -> Any:
    """An openpyxl cell value as calamine gives it."""
    kind = type(value)
    if kind is str:
        return "" if value in _EXCEL_ERRORS else value
    if value is None:
        return ""
    if kind is int:
        return float(value)
    if kind is datetime.datetime and value.time() == _MIDNIGHT:
        return value.date()
    return value


def _trimmed(rows: Iterable[tuple[int, list[Any]]]) -> Rows:
    """Rows without trailing empty cells; blank rows only where a filled row follows."""
    blank_from = None
    for number, cells in rows:
        while cells and cells[-1] == "":
            cells.pop()
        if not cells:
            blank_from = blank_from or number
            continue
        if blank_from:
            for blank in range(blank_from, number):
                yield blank, []
            blank_from = None
        yield number, cells
