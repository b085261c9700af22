"""A population's list through the import path: its department's wording, the same rules as
the page, all or nothing, and a population added in the back office importable at once."""

import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from tests.factories import GRID_A, GRID_C, SYSTEM, make_person, make_user
from wangge.imports.services import import_file
from wangge.imports.templates import import_template
from wangge.populations.models import Circumstance, Population, PopulationField
from wangge.populations.services import circumstance_save, population_save
from wangge.reports.export import export_report
from wangge.reports.models import ReportTemplate
from wangge.reports.services import report_template_save

pytestmark = pytest.mark.django_db


def workbook(path, rows, title="江岸区残疾人基本情况登记表"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_a_disability_list_in_its_departments_words(world, tmp_path):
    holder, guardian = make_person(GRID_A, "陈刚"), make_person(GRID_A, "陈母")
    path = workbook(tmp_path / "残疾人.xlsx", [
        ["序号", "姓名", "身份证号", "残疾证号", "残疾类型", "残疾级别", "监护人", "生活补贴"],
        [1, "陈刚", holder.id_number, holder.id_number + "42", "肢体", "二级",
         guardian.id_number, "是"],
    ])
    summary = import_file(kind="population-disability", path=path, by=SYSTEM)
    assert summary.written, summary.rejections
    assert summary.created == 1
    circumstance = Circumstance.objects.get(person=holder)
    assert circumstance.values == {"certificate": "42", "category": "4", "grade": "2",
                                   "guardian": guardian.pk, "living_subsidy": True}
    holder.refresh_from_db()
    assert "disabled" in holder.vulnerable_tags
    again = import_file(kind="population-disability", path=path, by=SYSTEM)
    assert (again.unchanged, again.updated) == (1, 0)
    assert circumstance.history.count() == 1  # nothing new, no history row


def test_a_bad_row_writes_nothing_and_says_why(world, tmp_path):
    first, second = make_person(GRID_A, "甲"), make_person(GRID_A, "乙")
    path = workbook(tmp_path / "bad.xlsx", [
        ["姓名", "公民身份号码", "残疾类别", "残疾等级"],
        ["甲", first.id_number, "视力", "一级"],
        ["乙", second.id_number, "视力", "五级"],
        ["丙", "420102199001011234", "视力", "一级"],
        ["丁", first.id_number[:-1] + "0", "视力", "一级"],
    ])
    summary = import_file(kind="population-disability", path=path, by=SYSTEM)
    assert not summary.written
    assert not Circumstance.objects.exists()
    reasons = {(r.row, r.column) for r in summary.rejections}
    assert (4, "残疾等级") in reasons
    assert (5, "公民身份号码") in reasons


def test_outside_the_jurisdiction_is_refused(world, tmp_path):
    outside = make_person(GRID_C, "外")
    path = workbook(tmp_path / "o.xlsx", [["身份证号", "居住情况"], [outside.id_number, "独居"]])
    worker = make_user("community_staff", "420102001001")
    summary = import_file(kind="population-older_people", path=path, by=worker)
    assert summary.rejected == 1
    assert not Circumstance.objects.exists()


def test_a_population_added_in_the_back_office_is_imported_edited_and_kept(world, tmp_path):
    admin = make_user("district_admin", "420102000000")
    veterans = Population(key="veterans", name="退役军人", department="退役军人事务局")
    population_save(population=veterans, by=admin, reason="新增优抚对象", fields=[
        PopulationField(key="service_branch", label="服役军种", kind="choice",
                        choices="army=陆军\nnavy=海军\nair=空军"),
        PopulationField(key="discharged_on", label="退役时间", kind="date", required=True,
                        synonyms="退伍时间\n退役日期"),
        PopulationField(key="contact", label="联系人", kind="person"),
    ])
    with translation.override("zh-hans"):
        template = openpyxl.load_workbook(io.BytesIO(import_template("population-veterans")))
    assert [c.value for c in template.active[1]][:5] == [
        "公民身份号码", "姓名", "服役军种", "退役时间", "联系人"]
    person = make_person(GRID_A, "赵强")
    path = workbook(tmp_path / "v.xlsx", [["姓名", "身份证号", "服役军种", "退伍时间"],
                                          ["赵强", person.id_number, "海军", "2015年9月1日"]])
    summary = import_file(kind="population-veterans", path=path, by=SYSTEM)
    assert summary.created == 1, summary.rejections
    circumstance = Circumstance.objects.get(population__key="veterans")
    assert circumstance.values == {"service_branch": "navy", "discharged_on": "2015-09-01"}
    circumstance_save(person=person, population=Population.objects.get(key="veterans"),
                      values={"service_branch": "army", "discharged_on": "2015-09-01"},
                      by=admin, reason="更正军种")
    reasons = [row.history_change_reason for row in circumstance.history.all()]
    assert reasons[0] == "更正军种"
    assert len(reasons) == 2
    # Reported like the shipped populations: its fields are report fields, its members a
    # population filter, with no code written for it.
    template = ReportTemplate(slug="veterans", name="退役军人名册", department="退役军人事务局",
                              population={"populations": ["veterans"]}, columns=[
                                  {"header": "姓名", "field": "name"},
                                  {"header": "服役军种", "field": "veterans.service_branch"},
                                  {"header": "退役时间", "field": "veterans.discharged_on",
                                   "format": "date"}])
    report_template_save(template=template, by=admin, reason="新增报表")
    out = tmp_path / "veterans.xlsx"
    export_report(template, scope="420102000000", user=admin, path=out)
    rows = list(openpyxl.load_workbook(out).active.values)
    assert rows[1][:2] == ("赵强", "陆军")
    assert rows[1][2].date().isoformat() == "2015-09-01"
    assert len(rows) == 2


def test_a_department_population_is_checked_and_shipped_fields_stay_shipped(world):
    admin = make_user("district_admin", "420102000000")
    with pytest.raises(ValidationError, match="choices"):
        population_save(population=Population(key="x", name="X"), by=admin, reason="r",
                        fields=[PopulationField(key="a", label="甲", kind="choice")])
    with pytest.raises(ValidationError, match="built-in"):
        population_save(population=Population.objects.get(key="disability"), by=admin,
                        reason="r", fields=[PopulationField(key="b", label="乙", kind="text")])
    worker = make_user("grid_worker", GRID_A)
    with pytest.raises(PermissionDenied):
        population_save(population=Population(key="y", name="Y"), by=worker, reason="r",
                        fields=[])
