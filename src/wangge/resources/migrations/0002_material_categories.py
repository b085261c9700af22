"""The material categories, the same in every installation so that reserves add up across
jurisdictions (the names are kept in the back office as read-only global data)."""

from django.db import migrations

CATEGORIES = [
    ("food", "食品"),
    ("water", "饮用水"),
    ("medical", "医疗用品"),
    ("protection", "防护用品"),
    ("shelter", "帐篷和被褥"),
    ("rescue", "救援器材"),
    ("power", "电力和照明"),
    ("sanitation", "环境卫生"),
    ("other", "其他"),
]


def install(apps, schema_editor):
    MaterialCategory = apps.get_model("resources", "MaterialCategory")
    for order, (code, name) in enumerate(CATEGORIES, start=1):
        MaterialCategory.objects.get_or_create(code=code,
                                               defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("resources", "0001_resources")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
