"""The event category a worrying health check-in is filed under (疫情防控 → 健康监测异常),
added to an installation's tree as the default tree now has it."""

from django.db import migrations


def install(apps, schema_editor):
    from wangge.events.default_categories import install_default_categories

    install_default_categories(apps.get_model("events", "Category"))


class Migration(migrations.Migration):
    dependencies = [
        ("health", "0001_check_ins"),
        ("events", "0006_notifications_to_their_own_app"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
