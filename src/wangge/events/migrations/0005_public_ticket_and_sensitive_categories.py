"""Public reports get a random ticket (the counting number stays for staff), and categories
that reveal someone's health or circumstances are marked sensitive (never public)."""

from django.db import migrations, models

import wangge.events.models
from wangge.events.default_categories import SENSITIVE_DEFAULTS


def give_tickets(apps, schema_editor):
    tickets: dict[int, str] = {}  # by event id: a history row keeps its event's ticket
    for model in (apps.get_model("events", "Event"), apps.get_model("events", "HistoricalEvent")):
        for row in model.objects.filter(ticket__isnull=True).only("pk", "id").iterator():
            ticket = tickets.setdefault(row.id, wangge.events.models.new_ticket())
            model.objects.filter(pk=row.pk).update(ticket=ticket)


def mark_sensitive(apps, schema_editor):
    apps.get_model("events", "Category").objects.filter(code__in=SENSITIVE_DEFAULTS).update(
        sensitive=True)


class Migration(migrations.Migration):

    dependencies = [
        ("events", "0004_history_reason_text"),
    ]

    operations = [
        migrations.AddField(
            model_name="category",
            name="sensitive",
            field=models.BooleanField(default=False, help_text="Reveals someone's health or circumstances: never shown to the public or to Open311 clients, and not offered on the residents' page.", verbose_name="sensitive"),
        ),
        migrations.AddField(
            model_name="historicalcategory",
            name="sensitive",
            field=models.BooleanField(default=False, help_text="Reveals someone's health or circumstances: never shown to the public or to Open311 clients, and not offered on the residents' page.", verbose_name="sensitive"),
        ),
        migrations.RunPython(mark_sensitive, migrations.RunPython.noop),
        migrations.AddField(
            model_name="event",
            name="ticket",
            field=models.CharField(editable=False, max_length=12, null=True),
        ),
        migrations.AddField(
            model_name="historicalevent",
            name="ticket",
            field=models.CharField(editable=False, max_length=12, null=True),
        ),
        migrations.RunPython(give_tickets, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="event",
            name="ticket",
            field=models.CharField(default=wangge.events.models.new_ticket, editable=False, max_length=12, unique=True, verbose_name="public ticket"),
        ),
        migrations.AlterField(
            model_name="historicalevent",
            name="ticket",
            field=models.CharField(db_index=True, default=wangge.events.models.new_ticket, editable=False, max_length=12, verbose_name="public ticket"),
        ),
    ]
