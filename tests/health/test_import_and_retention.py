"""An institution's list through the import path (the `check-ins` kind and its template), and
retention: check-ins past WANGGE_CHECKIN_RETENTION_DAYS reduced to counts by `wangge purge`,
on a frozen clock."""

import datetime
import io

import openpyxl
import pytest
import time_machine
from django.core.management import call_command
from django.utils import translation

from tests.imports.test_import_command import write_csv
from wangge.events.models import Event
from wangge.health.models import CheckIn, CheckInAlert, CheckInChannel, CheckInCount, EnteredBy
from wangge.health.services import NOT_FOUND, answer_checked, check_in_record
from wangge.imports.services import import_file
from wangge.imports.templates import import_template

HEADER = ["姓名", "身份证号", "体温(℃)", "症状", "日期"]


def test_an_institutions_list_is_imported(town, tmp_path):
    path = write_csv(tmp_path / "school.csv", [
        ["张伟", town.head.id_number, "36.5", "无", ""],
        ["李娜", town.spouse.id_number, "37.8℃", "咳嗽、乏力", ""],
        ["张三", town.child.id_number, "36.5", "", ""],  # the number is someone else's
    ], header=HEADER)
    summary = import_file(kind="check-ins", path=path, by=town.community, partial=True)
    assert (summary.created, summary.rejected) == (2, 1)
    assert [(r.row, r.reason) for r in summary.rejections] == [(4, str(NOT_FOUND))]
    spouse = CheckIn.objects.get(person=town.spouse)
    assert spouse.symptoms == ["cough", "fatigue"]
    assert (spouse.entered_by, spouse.channel, spouse.recorder) == (
        EnteredBy.INSTITUTION, CheckInChannel.IMPORT, town.community)
    assert Event.objects.count() == 1
    again = import_file(kind="check-ins", path=path, by=town.community, partial=True)
    assert (again.created, again.updated) == (0, 2)


def test_a_list_with_one_bad_row_writes_nothing_by_default(town, tmp_path):
    path = write_csv(tmp_path / "school.csv", [
        ["张伟", town.head.id_number, "36.5", "", ""],
        ["李娜", town.spouse.id_number, "hot", "", ""]], header=HEADER)
    summary = import_file(kind="check-ins", path=path, by=town.community)
    assert not summary.written
    assert not CheckIn.objects.exists()


def test_the_template_of_the_kind():
    with translation.override("zh-hans"):
        book = openpyxl.load_workbook(io.BytesIO(import_template("check-ins")))
    sheet = book[book.sheetnames[0]]
    assert [cell.value for cell in sheet[1]][:3] == ["姓名", "身份证号", "体温"]
    assert sheet["A2"].value == "张三（示例）"


def test_the_command_imports_it(town, tmp_path, capsys):
    path = write_csv(tmp_path / "a.csv", [["王芳", town.neighbour.id_number, "36.1", "", ""]],
                     header=HEADER)
    call_command("import", "check-ins", str(path))
    assert CheckIn.objects.get().person == town.neighbour


START = datetime.datetime(2026, 3, 2, 1, 0, tzinfo=datetime.UTC)  # 09:00 in Shanghai


def on_day(days: int):
    return time_machine.travel(START + datetime.timedelta(days=days), tick=False)


def purge() -> str:
    out = io.StringIO()
    call_command("purge", stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("retention", [28, 7])
def test_check_ins_past_retention_are_reduced_to_counts(town, settings, retention):
    settings.WANGGE_CHECKIN_RETENTION_DAYS = retention
    with on_day(0):
        for person, temperature in ((town.head, "36.5"), (town.spouse, "38.0"),
                                    (town.neighbour, "36.9")):
            check_in_record(person=person, answer=answer_checked(temperature=temperature),
                            entered_by=EnteredBy.GRID_WORKER, channel=CheckInChannel.PAGE,
                            by=town.worker)
    with on_day(1):
        check_in_record(person=town.head, answer=answer_checked(temperature="36.4"),
                        entered_by=EnteredBy.GRID_WORKER, channel=CheckInChannel.PAGE,
                        by=town.worker)
    event = Event.objects.get()
    with on_day(retention):
        assert f"reduced 0 health check-ins older than {retention} days" in purge()
        assert CheckIn.objects.count() == 4
    with on_day(retention + 1):
        assert f"reduced 3 health check-ins older than {retention} days" in purge()
        assert list(CheckIn.objects.values_list("day", flat=True)) == [datetime.date(2026, 3, 3)]
        [count] = CheckInCount.objects.all()
        assert (count.grid_code, count.day, count.checked_in, count.fever, count.alerts) == (
            town.head.grid_code, datetime.date(2026, 3, 2), 3, 1, 1)
        assert not CheckInAlert.objects.exists()
        assert Event.objects.get() == event  # the event goes on, to be handled and closed
    with on_day(retention + 2):
        purge()
        assert not CheckIn.objects.exists()
        assert CheckInCount.objects.count() == 2
