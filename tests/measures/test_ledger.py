"""The department ledger of people under home health monitoring: a report template whose rows
are the measures themselves (nothing typed twice), masked per role, its export logged."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError

from tests.factories import STREET_1
from wangge.auditlog.models import Entry, Kind
from wangge.measures.services import measure_approve, measure_lift
from wangge.reports.models import ReportTemplate
from wangge.reports.selectors import gap_tasks, not_held, report_rows
from wangge.reports.services import report_template_validate

SLUG = "health-home-monitoring-ledger"
HEADERS = ["姓名", "公民身份号码", "联系电话", "居住地址", "所属网格", "事由", "开始日期",
           "结束日期", "决定机关", "法律依据", "包保责任人", "解除日期"]


def test_the_ledger_comes_from_the_measures(world):
    template = ReportTemplate.objects.get(slug=SLUG)
    assert [column["header"] for column in template.columns] == HEADERS
    assert not_held(template) == []
    pending = world.pending()  # never active: not in the ledger
    active = world.pending()
    measure_approve(measure=active, by=world.district, reason="同意")
    lifted = world.pending()
    measure_approve(measure=lifted, by=world.district, reason="同意")
    measure_lift(measure=lifted, by=world.community, reason="解除")
    rows = list(report_rows(template, scope=STREET_1, user=None))
    assert len(rows) == 2
    person = world.person
    row = rows[0]
    assert row[:3] == [person.name, person.id_number, person.phone]
    assert row[4] == "民意一网格"
    assert row[5] == "与确诊病例同乘K123次列车"
    assert row[6:8] == [active.starts_on, active.ends_on]
    assert row[8:11] == ["大智街道办事处", str(world.basis), "worker-a"]
    assert row[11] is None
    assert rows[1][11] is not None  # the date lifted
    assert gap_tasks(template, scope=STREET_1, user=None) == []
    assert pending.pk not in (active.pk, lifted.pk)


def test_the_ledger_is_masked_per_role(world):
    template = ReportTemplate.objects.get(slug=SLUG)
    measure_approve(measure=world.pending(), by=world.district, reason="同意")
    worker_row = next(report_rows(template, scope=STREET_1, user=world.worker))
    assert worker_row[1] == world.person.id_number
    department_row = next(report_rows(template, scope=STREET_1, user=world.department))
    assert "*" in department_row[1]
    assert department_row[2] == world.person.phone
    assert department_row[5] == "***"
    assert list(report_rows(template, scope=STREET_1, user=world.volunteer)) == []


def test_the_export_is_logged(world, page_as):
    measure_approve(measure=world.pending(), by=world.district, reason="同意")
    page = page_as(world.district)
    response = page.get(f"/reports/{SLUG}/export/", {
        "scope": STREET_1, "format": "csv", "purpose": "health"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == HEADERS
    assert len(rows) == 2
    entry = Entry.objects.filter(kind=Kind.EXPORT).get()
    assert entry.target == f"report {SLUG} {STREET_1} csv"
    assert entry.count == 1


def test_a_ledger_template_is_checked(world):
    template = ReportTemplate(slug="x", name="x", department="x", source="measures",
                              population={"kinds": ["sealed_door"]},
                              columns=[{"header": "姓名", "field": "name"}])
    with pytest.raises(ValidationError) as refused:
        report_template_validate(template)
    assert "population" in refused.value.message_dict
    template.source = "nowhere"
    template.population = {}
    with pytest.raises(ValidationError) as refused:
        report_template_validate(template)
    assert "source" in refused.value.message_dict
