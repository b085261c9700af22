"""Version 1 of the rules, in force: the examples of issue 13 (risk.rules.DEFAULT_RULES, copied
here so that the migration keeps what it installed whatever the module says later)."""

from django.db import migrations

DEFAULT_RULES = [
    {"subject": "person", "if": "case", "statuses": ["confirmed", "asymptomatic"],
     "within_days": 14, "grade": "high"},
    {"subject": "person", "if": "case", "statuses": ["suspected"], "within_days": 14,
     "grade": "medium"},
    {"subject": "person", "if": "exposure", "degree": "close", "within_days": 14,
     "grade": "medium"},
    {"subject": "person", "if": "exposure", "degree": "secondary", "within_days": 7,
     "grade": "medium"},
    {"subject": "person", "if": "check_in_alert", "within_days": 3, "grade": "medium"},
    {"subject": "building", "if": "cases", "statuses": ["confirmed", "asymptomatic"],
     "within_days": 14, "grade": "high"},
    {"subject": "building", "if": "residents", "graded": "medium", "grade": "medium"},
    {"subject": "grid", "if": "buildings", "graded": "high", "grade": "medium"},
    {"subject": "grid", "if": "buildings", "graded": "high", "at_least": 3, "grade": "high"},
    {"subject": "community", "if": "grids", "graded": "medium", "grade": "medium"},
    {"subject": "community", "if": "grids", "graded": "high", "at_least": 2, "grade": "high"},
]


def install(apps, schema_editor):
    RuleSet = apps.get_model("risk", "RuleSet")
    if not RuleSet.objects.exists():
        from django.utils import timezone

        RuleSet.objects.create(version=1, status="in_force", rules=DEFAULT_RULES,
                               note="The default rules", in_force_from=timezone.now())


def remove(apps, schema_editor):
    apps.get_model("risk", "RuleSet").objects.filter(version=1, status="in_force").delete()


class Migration(migrations.Migration):
    dependencies = [("risk", "0001_rules_and_grades")]

    operations = [migrations.RunPython(install, remove)]
