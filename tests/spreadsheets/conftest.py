import pytest

from wangge.spreadsheets import workbooks


@pytest.fixture(autouse=True, params=["calamine", "streamed"])
def workbook_reader(request, monkeypatch):
    """Every test here runs twice: with small xlsx files read by calamine (as they are), and
    with every xlsx streamed through openpyxl (the reader of large files)."""
    if request.param == "streamed":
        monkeypatch.setattr(workbooks, "STREAM_ABOVE_BYTES", -1)
    return request.param
