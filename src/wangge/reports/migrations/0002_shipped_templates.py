"""Install the five report templates every installation starts with (editable afterwards)."""

from django.db import migrations


def install(apps, schema_editor):
    from wangge.reports.services import report_templates_install

    report_templates_install(apps.get_model("reports", "ReportTemplate"))


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
