"""The shipped templates' columns that named fields the registry did not hold now name the
populations' fields: the emergency contact of an older person living alone (and their phone),
the family doctor of a chronically ill resident, the paired helper of one who needs help to
evacuate. The older people living alone are found through their circumstance as well as their
tag. A template staff have changed since keeps their columns."""

from django.db import migrations

RENAMED = {
    "civil-affairs-elderly-alone": ("emergency_contact", "older_people.emergency_contact"),
    "health-chronic-disease": ("family_doctor", "chronic_illness.family_doctor"),
    "emergency-evacuation-assistance": ("helper", "evacuation_help.helper"),
}
OLD_ELDERLY = {"age_at_least": 60, "vulnerable_any": ["elderly_alone"]}
NEW_ELDERLY = {"age_at_least": 60,
               "any": [{"values": {"older_people.living_situation": "alone"}},
                       {"vulnerable_any": ["elderly_alone"]}]}


def forward(apps, schema_editor):
    ReportTemplate = apps.get_model("reports", "ReportTemplate")
    for slug, (old, new) in RENAMED.items():
        template = ReportTemplate.objects.filter(slug=slug).first()
        if template is None:
            continue
        columns = []
        for column in template.columns:
            if column.get("field") == old:
                columns.append({**column, "field": new})
                if old == "emergency_contact" and not any(
                        c.get("header") == "紧急联系人电话" for c in template.columns):
                    columns.append({"header": "紧急联系人电话", "field": f"{new}.phone"})
            else:
                columns.append(column)
        template.columns = columns
        if slug == "civil-affairs-elderly-alone" and template.population == OLD_ELDERLY:
            template.population = NEW_ELDERLY
        template.save(update_fields=["columns", "population"])


def backward(apps, schema_editor):
    ReportTemplate = apps.get_model("reports", "ReportTemplate")
    for slug, (old, new) in RENAMED.items():
        template = ReportTemplate.objects.filter(slug=slug).first()
        if template is None:
            continue
        template.columns = [{**column, "field": old} if column.get("field") == new else column
                            for column in template.columns
                            if column.get("field") != f"{new}.phone"]
        if template.population == NEW_ELDERLY:
            template.population = OLD_ELDERLY
        template.save(update_fields=["columns", "population"])


class Migration(migrations.Migration):
    dependencies = [("reports", "0005_form_layout"), ("populations", "0002_shipped_populations")]
    operations = [migrations.RunPython(forward, backward)]
