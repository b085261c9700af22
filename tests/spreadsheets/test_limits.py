"""Bounds on what a spreadsheet may expand to (docs/imports.md, "Limits on what clients
send"), with real crafted files: a whitespace bomb, parts that hold more than they declare,
too many rows, columns or characters. Each is one clear message before the reading costs."""

import struct
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from django.utils import translation

from wangge.spreadsheets import PERSON_HEADERS, HeaderMap, UnreadableFileError, read_table

HEADERS = HeaderMap(PERSON_HEADERS)
HEADER = ["姓名", "身份证号", "手机号"]
ROW = ["张伟", "420102198001011234", "13800138000"]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def read_all(path: Path) -> list:
    return list(read_table(path, is_header=HEADERS.is_header).rows)


def refusal(path: Path) -> str:
    with pytest.raises(UnreadableFileError) as refused:
        read_all(path)
    return str(refused.value)


def workbook(path: Path, rows: list[list]) -> Path:
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("居民")
    for number, row in enumerate(rows):
        sheet.write_row(number, 0, row)
    book.close()
    return path


def whitespace_bomb(path: Path, megabytes: int) -> Path:
    """A valid workbook whose sheet carries ``megabytes`` MB of spaces between its rows: a few
    kilobytes on disk (the attack in issue 10 used 2 GiB in 2 MB)."""
    plain = workbook(path.with_suffix(".plain.xlsx"), [HEADER, ROW])
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(
            path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                with bomb.open(info.filename, "w") as sheet:
                    head, tail = data.split(b"</row>", 1)
                    sheet.write(head + b"</row>")
                    for _ in range(megabytes):
                        sheet.write(b" " * 2**20)
                    sheet.write(tail)
            else:
                bomb.writestr(info.filename, data)
    return path


def test_a_whitespace_bomb_is_refused_by_its_compression_ratio(tmp_path):
    path = whitespace_bomb(tmp_path / "bomb.xlsx", 64)
    assert path.stat().st_size < 200_000
    message = refusal(path)
    assert message.startswith("bomb.xlsx is compressed ")
    assert "times over (in xl/worksheets/sheet1.xml)" in message
    assert "possible decompression bomb" in message


def test_a_workbook_expanding_beyond_the_bound_is_refused(tmp_path, settings):
    settings.WANGGE_SHEET_MAX_UNCOMPRESSED_MB = 16
    settings.WANGGE_SHEET_MAX_RATIO = 10**6  # the size alone refuses it
    assert refusal(whitespace_bomb(tmp_path / "big.xlsx", 20)) == (
        "big.xlsx would expand to 20 MB when opened, more than the 16 MB a spreadsheet may; "
        "split it into smaller files.")


def test_a_part_holding_more_than_it_declares_is_refused(tmp_path):
    """The declared sizes bound what is read: a part holding more is refused by either
    reader as soon as it passes its size."""
    path = workbook(tmp_path / "liar.xlsx", [HEADER, ROW])
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        sheet = archive.getinfo("xl/worksheets/sheet1.xml")
    # Its entry in the central directory (where readers take the sizes from).
    entry = data.index(b"PK\x01\x02")
    while data[entry + 46:entry + 46 + len(sheet.filename)] != sheet.filename.encode():
        entry = data.index(b"PK\x01\x02", entry + 4)
    data[entry + 24:entry + 28] = struct.pack("<I", sheet.file_size // 2)  # its size, halved
    path.write_bytes(bytes(data))
    assert refusal(path).startswith("liar.xlsx is not a readable Excel workbook")


def csv_file(path: Path, rows: list[list]) -> Path:
    path.write_text("".join(",".join(row) + "\r\n" for row in rows), encoding="utf-8")
    return path


FORMATS = [(workbook, ".xlsx"), (csv_file, ".csv")]


@pytest.mark.parametrize(("write", "suffix"), FORMATS)
def test_rows_beyond_the_bound_are_refused(tmp_path, settings, write, suffix):
    settings.WANGGE_SHEET_MAX_ROWS = 5
    assert len(read_all(write(tmp_path / f"ok{suffix}", [HEADER] + [ROW] * 4))) == 4
    path = write(tmp_path / f"long{suffix}", [HEADER] + [ROW] * 5)
    assert refusal(path) == f"long{suffix} has more than 5 rows; split it into smaller files."


@pytest.mark.parametrize(("write", "suffix"), FORMATS)
def test_columns_beyond_the_bound_are_refused(tmp_path, settings, write, suffix):
    settings.WANGGE_SHEET_MAX_COLUMNS = 4
    path = write(tmp_path / f"wide{suffix}", [HEADER, [*ROW, "a", "b"]])
    assert refusal(path) == f"wide{suffix} row 2 has more than 4 columns."


@pytest.mark.parametrize(("write", "suffix"), FORMATS)
def test_a_cell_beyond_the_bound_is_refused(tmp_path, settings, write, suffix):
    settings.WANGGE_SHEET_MAX_CELL_CHARS = 20
    path = write(tmp_path / f"cell{suffix}", [HEADER, ROW, ["张伟" * 11, *ROW[1:]]])
    assert refusal(path) == f"cell{suffix} row 3 has a cell longer than 20 characters."


def test_a_csv_line_beyond_the_bound_is_refused_before_it_is_read(tmp_path, settings):
    """One line of 2 MB and no line break: read up to the bound, not to its end."""
    settings.WANGGE_SHEET_MAX_COLUMNS = 3
    settings.WANGGE_SHEET_MAX_CELL_CHARS = 100
    path = tmp_path / "line.csv"
    path.write_text(",".join(HEADER) + "\r\n" + "x" * (2 * 2**20), encoding="utf-8")
    assert refusal(path) == "line.csv line 2 is longer than 309 characters."


def test_a_quoted_csv_field_over_many_lines_stops_at_the_cell_bound(tmp_path, settings):
    settings.WANGGE_SHEET_MAX_CELL_CHARS = 50
    path = tmp_path / "quoted.csv"
    path.write_text(",".join(HEADER) + '\r\n"' + "x\r\n" * 1000 + '",1,2\r\n',
                    encoding="utf-8")
    message = refusal(path)
    assert message.startswith("quoted.csv row ")
    assert message.endswith("has a cell longer than 50 characters.")
