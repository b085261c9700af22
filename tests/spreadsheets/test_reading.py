"""The reader against real files: xlsx written by xlsxwriter, CSV in the encodings departments
send, damaged files."""

import datetime
from pathlib import Path

import pytest
import xlsxwriter
from django.core.exceptions import ValidationError

from wangge.normalisers import parse_resident_id
from wangge.spreadsheets import (
    PERSON_HEADERS,
    HeaderMap,
    UnreadableFileError,
    cell_date,
    cell_text,
    neutralised,
    read_table,
)

HEADERS = HeaderMap(PERSON_HEADERS)
ROWS = [
    ["张伟", "420102198001011234", "13800138000"],
    ["李娜", "42010219900202002X", "13900139000"],
]


def read_all(path: Path, **options) -> tuple[list[str], list[tuple[int, list]]]:
    table = read_table(path, is_header=HEADERS.is_header, **options)
    return table.headers, list(table.rows)


def write_xlsx(path: Path, rows: list[list], *, title: bool = False) -> Path:
    workbook = xlsxwriter.Workbook(path)
    sheet = workbook.add_worksheet("居民")
    first = 0
    if title:
        sheet.merge_range(0, 0, 0, 2, "江岸区居民花名册（2026年11月）")
        sheet.write(1, 0, "填报单位：民政局")
        first = 3
    for offset, row in enumerate(rows):
        sheet.write_row(first + offset, 0, row)
    workbook.close()
    return path


def test_xlsx_header_found_below_merged_title(tmp_path):
    path = write_xlsx(tmp_path / "list.xlsx", [["姓名", "公民身份号码", "联系电话"], *ROWS],
                      title=True)
    headers, rows = read_all(path)
    assert headers == ["姓名", "公民身份号码", "联系电话"]
    assert HEADERS.columns(headers) == {"name": 0, "id_number": 1, "phone": 2}
    assert [number for number, _ in rows] == [5, 6]
    assert rows[0][1][0] == "张伟"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_csv_encodings_read_without_mojibake(tmp_path, encoding):
    path = tmp_path / "list.csv"
    text = "\n".join(",".join(row) for row in [["姓名", "身份证号", "手机号"], *ROWS]) + "\n"
    path.write_bytes(text.encode(encoding))
    headers, rows = read_all(path)
    assert headers == ["姓名", "身份证号", "手机号"]
    assert [cells for _, cells in rows] == ROWS
    assert [number for number, _ in rows] == [2, 3]


def test_tab_separated_with_title_rows(tmp_path):
    path = tmp_path / "list.txt"
    path.write_text("居民名单\n\n姓名\t身份证号\n张伟\t420102198001011234\n", encoding="utf-8")
    headers, rows = read_all(path)
    assert headers == ["姓名", "身份证号"]
    assert rows == [(4, ["张伟", "420102198001011234"])]


def test_header_synonyms_fold_width_and_brackets():
    assert HEADERS.columns(["＊姓 名", "身份证号（必填）", "Mobile", "备注"]) == {
        "name": 0, "id_number": 1, "phone": 2,
    }


def test_override_maps_an_unknown_header_and_refuses_an_unknown_field():
    assert HeaderMap(PERSON_HEADERS, {"户主电话": "phone"}).columns(["户主电话"]) == {"phone": 0}
    with pytest.raises(ValidationError, match="nickname"):
        HeaderMap(PERSON_HEADERS, {"昵称": "nickname"})


def test_two_columns_for_one_field_refused():
    with pytest.raises(ValidationError, match="手机"):
        HEADERS.columns(["姓名", "手机", "联系电话"])


def test_id_typed_as_number_in_excel_is_recognised_as_mangled(tmp_path):
    path = write_xlsx(tmp_path / "ids.xlsx", [["姓名", "身份证号"], ["张伟", 420102198001011234]])
    _, rows = read_all(path)
    text = cell_text(rows[0][1][1])
    assert "E+17" in text
    with pytest.raises(ValidationError) as error:
        parse_resident_id(text)
    assert error.value.code == "scientific_notation"


def test_legacy_id_typed_as_number_keeps_its_digits():
    assert cell_text(420102800101123.0) == "420102800101123"


def test_dates_from_cells_serials_and_text():
    assert cell_date(29221.0) == datetime.date(1980, 1, 1)
    assert cell_date("29221") == datetime.date(1980, 1, 1)
    assert cell_date(datetime.datetime(1980, 1, 1, 0, 0)) == datetime.date(1980, 1, 1)
    for text in ("1980-01-31", "1980/1/31", "1980.01.31", "1980年1月31日", "19800131"):
        assert cell_date(text) == datetime.date(1980, 1, 31)
    with pytest.raises(ValidationError):
        cell_date("1980-02-31")


def test_formula_cells_neutralised():
    assert neutralised("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert neutralised("张伟") == "张伟"


def test_corrupt_workbook_is_one_clear_error(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not a zip")
    with pytest.raises(UnreadableFileError, match=r"broken\.xlsx"):
        read_all(path)


def test_file_without_known_headers_refused(tmp_path):
    path = tmp_path / "numbers.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(UnreadableFileError, match=r"numbers\.csv"):
        read_all(path)


def test_binary_file_refused(tmp_path):
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\x00\x00\x00")
    with pytest.raises(UnreadableFileError):
        read_all(path)


def test_missing_sheet_named(tmp_path):
    path = write_xlsx(tmp_path / "list.xlsx", [["姓名", "身份证号"], *ROWS])
    with pytest.raises(UnreadableFileError, match="户籍"):
        read_all(path, sheet="户籍")
    headers, _ = read_all(path, sheet="居民")
    assert headers == ["姓名", "身份证号"]
