"""Report templates: the five shipped ones exported and read back by openpyxl, CSV for Excel,
completeness, the gap task list, scope and masking."""

import datetime
import json

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from tests.factories import (
    COMMUNITY_1,
    DISTRICT,
    GRID_A,
    GRID_B,
    GRID_C,
    make_person,
    make_user,
    resident_id,
)
from wangge.foundation.permissions import Role
from wangge.reports.models import ReportTemplate
from wangge.reports.selectors import gap_tasks, report_completeness, report_rows

SHIPPED = ["civil-affairs-elderly-alone", "police-floating-population", "health-chronic-disease",
           "housing-rented-dwellings", "emergency-evacuation-assistance"]
OLD = datetime.date(1940, 3, 8)


@pytest.fixture
def city(world):
    """Residents that fall into each shipped report, and some that fall into none."""
    return {
        "alone": make_person(GRID_A, name="王秀英", id_number=resident_id(OLD, male=False),
                             vulnerable_tags=["elderly_alone"], health_status="chronic"),
        "alone_no_phone": make_person(GRID_B, name="刘桂兰", phone="",
                                      id_number=resident_id(OLD, male=False),
                                      vulnerable_tags=["elderly_alone"]),
        "floating": make_person(GRID_A, name="陈强", residence_type="floating",
                                id_number="110101199003074338", occupation="快递员"),
        "renting": make_person(GRID_C, name="赵磊", residence_type="renting"),
        "young": make_person(GRID_A, name="张伟"),
    }


def export(tmp_path, slug, scope=DISTRICT, suffix="xlsx", *options):
    out = tmp_path / f"{slug}.{suffix}"
    call_command("export", slug, "--scope", scope, "--out", str(out), *options)
    return out


def test_five_templates_shipped(db):
    assert set(SHIPPED) <= set(ReportTemplate.objects.values_list("slug", flat=True))


@pytest.mark.parametrize("slug", SHIPPED)
def test_each_template_reads_back_with_its_headers(tmp_path, city, slug):
    template = ReportTemplate.objects.get(slug=slug)
    sheet = load_workbook(export(tmp_path, slug)).active
    rows = list(sheet.values)
    assert list(rows[0]) == [column["header"] for column in template.columns]
    assert len(rows) - 1 == len(list(report_rows(template, scope=DISTRICT, user=None)))
    assert len(rows) > 1


def test_elderly_alone_rows_formats_and_values(tmp_path, city):
    sheet = load_workbook(export(tmp_path, "civil-affairs-elderly-alone")).active
    rows = list(sheet.values)
    names = [row[0] for row in rows[1:]]
    assert names == ["王秀英", "刘桂兰"]  # grid A before grid B; nobody else
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["公民身份号码"] == city["alone"].id_number  # every digit kept, as text
    assert sheet["E2"].data_type == "s"
    assert first["出生日期"] == datetime.datetime(1940, 3, 8)
    assert sheet["C2"].number_format == "yyyy-mm-dd"
    assert first["年龄"] >= 86
    assert first["性别"] == "女"
    assert first["所属网格"] == "民意一网格"
    assert first["所属社区"] == "民意社区"
    assert first["健康状况"] == "慢性病"
    assert first["紧急联系人"] is None  # held (older_people.emergency_contact), not recorded


def test_floating_register_shows_where_the_id_was_issued(tmp_path, city):
    rows = list(load_workbook(export(tmp_path, "police-floating-population")).active.values)
    chen = dict(zip(rows[0], next(row for row in rows if row[0] == "陈强"), strict=True))
    assert chen["户籍地"] == "北京市东城区"
    assert chen["职业"] == "快递员"
    assert {row[0] for row in rows[1:]} == {"陈强", "赵磊"}


def test_csv_has_a_bom_for_excel(tmp_path, city):
    out = export(tmp_path, "housing-rented-dwellings", DISTRICT, "csv")
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert "赵磊" in data.decode("utf-8-sig")


def test_scope_limits_the_rows(tmp_path, city):
    rows = list(load_workbook(export(tmp_path, "civil-affairs-elderly-alone", GRID_B)).active
                .values)
    assert [row[0] for row in rows[1:]] == ["刘桂兰"]


def test_user_export_is_masked_and_scoped(tmp_path, city):
    make_user(Role.VOLUNTEER, COMMUNITY_1, username="volunteer")
    rows = list(load_workbook(export(tmp_path, "civil-affairs-elderly-alone", DISTRICT, "xlsx",
                                     "--user", "volunteer")).active.values)
    first = dict(zip(rows[0], rows[1], strict=True))
    assert "*" in first["公民身份号码"]
    assert first["出生日期"] == f"{city['alone'].birth_date:%Y}"  # the year: not digits 7-14
    assert city["alone"].id_number not in str(rows)
    assert len(rows) == 3  # community 1 only


def test_completeness_per_field_and_grid(city):
    template = ReportTemplate.objects.get(slug="civil-affairs-elderly-alone")
    completeness = report_completeness(template, scope=DISTRICT, user=None)
    assert completeness["total"] == 2
    assert completeness["filled"]["联系电话"] == 1
    assert completeness["grids"][GRID_B]["联系电话"] == 0
    assert completeness["not_held"] == []  # the emergency contact is a population field
    assert completeness["filled"]["紧急联系人"] == 0


def test_gap_tasks_go_to_the_grid_worker(city):
    worker = make_user(Role.GRID_WORKER, GRID_B, username="worker-b")
    template = ReportTemplate.objects.get(slug="civil-affairs-elderly-alone")
    tasks = {task["grid_code"]: task for task in gap_tasks(template, scope=DISTRICT, user=None)}
    assert tasks[GRID_B]["workers"] == [worker.username]
    missing = tasks[GRID_B]["persons"][0]
    assert missing["person"].name == "刘桂兰"
    assert "联系电话" in missing["missing"]
    assert "紧急联系人" in missing["missing"]  # held by the registry, not yet collected
    assert "紧急联系人电话" not in missing["missing"]  # read from the contact's record


def test_gaps_command_json(city, capsys):
    call_command("gaps", "civil-affairs-elderly-alone", "--scope", DISTRICT, "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["total"] == 2
    assert data["not_held"] == []


def test_unknown_template_and_bad_scope_are_clear(tmp_path, world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="civil-affairs-elderly-alone"):
        export(tmp_path, "nope")
    with pytest.raises(CommandError, match="12345"):
        export(tmp_path, "civil-affairs-elderly-alone", "12345")
