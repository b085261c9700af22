"""The department ledger of people under home health monitoring, as a report template whose
rows are the measures themselves (measures.ledger; editable afterwards like any template)."""

from django.db import migrations

LEDGER = {
    "slug": "health-home-monitoring-ledger",
    "name": "居家健康监测人员台账",
    "department": "卫生健康局",
    "description": "居家健康监测人员，取自依法防控措施记录（一人一条措施），无需另行填报。",
    "source": "measures",
    "population": {"kinds": ["home_monitoring"]},
    "columns": [
        {"header": "姓名", "field": "name"},
        {"header": "公民身份号码", "field": "id_number"},
        {"header": "联系电话", "field": "phone"},
        {"header": "居住地址", "field": "address"},
        {"header": "所属网格", "field": "grid"},
        {"header": "事由", "field": "reason"},
        {"header": "开始日期", "field": "starts_on", "format": "date"},
        {"header": "结束日期", "field": "ends_on", "format": "date"},
        {"header": "决定机关", "field": "authority"},
        {"header": "法律依据", "field": "legal_basis"},
        {"header": "包保责任人", "field": "responsible"},
        {"header": "解除日期", "field": "lifted_on", "format": "date"},
    ],
}


def install(apps, schema_editor):
    ReportTemplate = apps.get_model("reports", "ReportTemplate")
    ReportTemplate.objects.get_or_create(slug=LEDGER["slug"], defaults=LEDGER)


class Migration(migrations.Migration):
    dependencies = [("measures", "0002_legal_bases"), ("reports", "0004_report_sources")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
