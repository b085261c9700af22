"""The two workbook readers (calamine for small sheets, openpyxl streaming large ones) give the
same rows for the same real files, whoever wrote them."""

import datetime
import os
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from wangge.spreadsheets import UnreadableFileError, read_table, sheet_part, workbooks
from wangge.spreadsheets.workbooks import STREAM_ABOVE_BYTES, sheet_bytes, workbook_rows

from .test_reading import HEADERS


def both(path: Path, sheet: str | None = None) -> list[tuple[int, list]]:
    """The rows as each reader gives them, asserted equal (values and types)."""
    name, calamine = workbook_rows(path, sheet, stream=False)
    streamed_name, streamed = workbook_rows(path, sheet, stream=True)
    calamine_rows, streamed_rows = list(calamine), list(streamed)
    assert streamed_name == name
    assert streamed_rows == calamine_rows
    for (_, left), (_, right) in zip(calamine_rows, streamed_rows, strict=True):
        assert [type(cell) for cell in left] == [type(cell) for cell in right]
    return calamine_rows


def department_list(path: Path, **options) -> Path:
    """A list as departments send them: a merged title and a note above the header, starting in
    column B, with every kind of cell and the damage Excel does."""
    workbook = xlsxwriter.Workbook(path, options)
    sheet = workbook.add_worksheet("居民")
    date = workbook.add_format({"num_format": "yyyy-mm-dd"})
    stamp = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    chinese_date = workbook.add_format({"num_format": 'yyyy"年"m"月"d"日"'})
    bold = workbook.add_format({"bold": True})
    sheet.merge_range(1, 1, 1, 7, "江岸区居民花名册（2026年11月）")
    sheet.write(2, 1, "填报单位：民政局")
    sheet.write_row(3, 1, ["姓名", "身份证号", "出生日期", "手机号", "人数", "登记时间",
                           "备注", "独居"])
    sheet.write_row(4, 1, ["张伟", 420102198001011234])  # Excel's damage: digits lost
    sheet.write_datetime(4, 3, datetime.datetime(1980, 1, 1), date)
    sheet.write_number(4, 4, 13800138000)
    sheet.write_number(4, 5, 3)
    sheet.write_datetime(4, 6, datetime.datetime(2026, 11, 2, 9, 30), stamp)
    sheet.write_string(4, 7, " =HYPERLINK(1) ")
    sheet.write_boolean(4, 8, True)
    sheet.write_rich_string(5, 1, "李", bold, "娜")
    sheet.write_string(5, 2, "42010219900202002X")
    sheet.write_datetime(5, 3, datetime.datetime(1990, 2, 2), chinese_date)
    sheet.write_formula(5, 5, "=1+1", None, 2)
    sheet.write_formula(5, 6, "=1/0", None, "#DIV/0!")
    sheet.write_number(5, 7, 1.5)
    sheet.write_string(7, 1, "王芳")  # a blank row before it
    sheet.write_number(7, 3, 29221)  # a date typed as Excel's serial, no date format
    sheet.write_blank(9, 10, None, bold)  # formatted but empty: not a row
    workbook.close()
    return path


@pytest.mark.parametrize("options", [{}, {"constant_memory": True}],
                         ids=["shared-strings", "inline-strings"])
def test_readers_agree_on_a_department_list(tmp_path, options):
    rows = both(department_list(tmp_path / "list.xlsx", **options))
    assert [number for number, _ in rows] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert rows[:2] == [(1, []), (2, ["", "江岸区居民花名册（2026年11月）"])]
    zhang = rows[4][1]
    assert zhang[:3] == ["", "张伟", 4.201021980010113e17]
    assert zhang[3:] == [datetime.date(1980, 1, 1), 13800138000.0, 3.0,
                         datetime.datetime(2026, 11, 2, 9, 30), " =HYPERLINK(1) ", True]
    li = rows[5][1]
    assert li[1:4] == ["李娜", "42010219900202002X", datetime.date(1990, 2, 2)]
    assert li[5:8] == [2.0, "", 1.5]  # a formula's value; its error reads as empty
    assert rows[6] == (7, [])
    assert rows[7] == (8, ["", "王芳", "", 29221.0])


def test_readers_agree_on_an_openpyxl_workbook(tmp_path):
    path = tmp_path / "openpyxl.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "户籍"
    sheet.append(["姓名", "身份证号", "出生日期", "楼层"])
    sheet.append(["张伟", "420102198001011234", datetime.date(1980, 1, 1), 5])
    sheet.append(["李娜", 420102199002020020, datetime.datetime(1990, 2, 2, 8, 0), -1.25])
    other = workbook.create_sheet("备注")
    other.append(["姓名"])
    other.append(["王芳"])
    workbook.save(path)
    assert both(path) == [
        (1, ["姓名", "身份证号", "出生日期", "楼层"]),
        (2, ["张伟", "420102198001011234", datetime.date(1980, 1, 1), 5.0]),
        (3, ["李娜", 4.2010219900202e17, datetime.datetime(1990, 2, 2, 8, 0), -1.25]),
    ]
    assert both(path, sheet="备注") == [(1, ["姓名"]), (2, ["王芳"])]


def test_large_sheet_is_streamed_and_read_the_same(tmp_path, workbook_reader, monkeypatch):
    """A sheet over the threshold goes through openpyxl; its table is the calamine one."""
    if workbook_reader == "streamed":
        pytest.skip("the threshold is what this test is about")
    path = tmp_path / "large.xlsx"
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True})
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["姓名", "身份证号", "备注"])
    note = "长" * 200
    row = 1
    while row * 700 < STREAM_ABOVE_BYTES:
        sheet.write_row(row, 0, [f"居民{row}", f"{row:018d}", note])
        row += 1
    workbook.close()
    assert sheet_bytes(path) > STREAM_ABOVE_BYTES
    _, calamine = workbook_rows(path, None, stream=False)
    expected = list(calamine)[1:]
    monkeypatch.setattr(workbooks, "_calamine_rows", None)  # calling it would fail
    table = read_table(path, is_header=HEADERS.is_header)
    assert list(table.rows) == expected
    assert expected[-1] == (row, [f"居民{row - 1}", f"{row - 1:018d}", note])


def test_sheet_part_and_size(tmp_path):
    path = department_list(tmp_path / "list.xlsx")
    with zipfile.ZipFile(path) as archive:
        assert sheet_part(archive) == "xl/worksheets/sheet1.xml"
        assert sheet_part(archive, "居民") == "xl/worksheets/sheet1.xml"
        assert sheet_part(archive, "户籍") is None
    assert 0 < sheet_bytes(path) < STREAM_ABOVE_BYTES
    assert sheet_bytes(tmp_path / "missing.xlsx") == 0


@pytest.mark.parametrize("stream", [False, True])
def test_damaged_workbook_is_one_clear_error(tmp_path, stream):
    path = department_list(tmp_path / "list.xlsx")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # cut off, as a failed upload leaves it
    with pytest.raises(UnreadableFileError, match=r"list\.xlsx"):
        list(workbook_rows(path, None, stream=stream)[1])


@pytest.mark.parametrize("stream", [False, True])
def test_sheet_damaged_halfway_is_one_clear_error(tmp_path, stream):
    """A sheet whose XML breaks off is refused, even when streaming has read rows already."""
    whole = department_list(tmp_path / "whole.xlsx")
    path = tmp_path / "list.xlsx"
    with zipfile.ZipFile(whole) as source, zipfile.ZipFile(path, "w") as damaged:
        for member in source.infolist():
            content = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                content = content[: content.index(b"<row r=\"8\"") + 20]
            damaged.writestr(member, content)
    with pytest.raises(UnreadableFileError, match=r"list\.xlsx"):
        list(workbook_rows(path, None, stream=stream)[1])


def _reader_killed_halfway(path, sheet, sender):
    """A reader process that dies in the middle of a message (out of memory, say)."""
    sender.send(("sheet", "居民"))
    os.write(sender.fileno(), (1_000_000).to_bytes(4, "big") + b"\x80")  # a batch cut off
    os._exit(9)


def test_a_reader_process_that_dies_is_one_clear_error(tmp_path, monkeypatch):
    """Killed halfway through a batch: the import is told, not left waiting."""
    path = department_list(tmp_path / "list.xlsx")
    monkeypatch.setattr(workbooks, "_stream_sheet", _reader_killed_halfway)
    with pytest.raises(UnreadableFileError, match=r"list\.xlsx"):
        list(workbook_rows(path, None, stream=True)[1])
