"""Install the populations every installation starts with (older people, people with
disabilities, chronic illness, the floating population, evacuation help, low income,
children left behind)."""

from django.db import migrations


def install(apps, schema_editor):
    from wangge.populations.services import populations_install

    populations_install(apps.get_model("populations", "Population"),
                        apps.get_model("populations", "PopulationField"))


class Migration(migrations.Migration):
    dependencies = [("populations", "0001_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
