"""Install the default event category tree (editable afterwards)."""

from django.db import migrations


def install(apps, schema_editor):
    from wangge.events.default_categories import install_default_categories

    install_default_categories(apps.get_model("events", "Category"))


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
