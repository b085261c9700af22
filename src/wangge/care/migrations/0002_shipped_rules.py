"""The visit rules every installation starts with (older people living alone weekly, people
with disabilities and the chronically ill monthly, children left behind fortnightly), and
the event categories their visits and medical requests are filed under, added to an
installation's tree as the default tree now has them."""

from django.db import migrations


def install(apps, schema_editor):
    from wangge.care.services import rules_install
    from wangge.events.default_categories import install_default_categories

    install_default_categories(apps.get_model("events", "Category"))
    rules_install(apps.get_model("care", "CareRule"), apps.get_model("populations", "Population"),
                  apps.get_model("events", "Category"))


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0001_care_rules_and_visits"),
        ("populations", "0002_shipped_populations"),
    ]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
