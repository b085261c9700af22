from django.db import migrations


def create_head(apps, schema_editor):
    """The one row every append locks; present before the first append so two first
    writers never both create it."""
    apps.get_model("auditlog", "ChainHead").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("auditlog", "0001_initial")]
    operations = [migrations.RunPython(create_head, migrations.RunPython.noop)]
