"""The event categories residents' requests are filed under (a question, a need, a
complaint), added to an installation's tree as the default tree now has them."""

from django.db import migrations


def install(apps, schema_editor):
    from wangge.events.default_categories import install_default_categories

    install_default_categories(apps.get_model("events", "Category"))


class Migration(migrations.Migration):
    dependencies = [
        ("residents", "0002_resident_requests"),
        ("events", "0009_rating_grid_and_organization"),
    ]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
