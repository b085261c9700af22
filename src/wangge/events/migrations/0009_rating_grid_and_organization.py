"""A rating keeps the grid it counts in and the organization that handled what was rated
(the satisfaction figures per grid and per department); those of ratings already given are
read from the event's history as it stood when it was rated, one statement for all."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    rating = apps.get_model("events", "EventRating")
    history = apps.get_model("events", "HistoricalEvent")
    as_rated = history.objects.filter(id=OuterRef("event_id"), history_date__lte=OuterRef("at")
                                      ).order_by("-history_date", "-history_id")
    rating.objects.update(
        grid_code=Subquery(apps.get_model("events", "Event").objects.filter(
            pk=OuterRef("event_id")).values("grid_code")[:1]),
        organization_id=Subquery(as_rated.values("organization_id")[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0008_cockpit_tally_and_indexes'),
        ('organizations', '0004_health_centres'),
    ]

    operations = [
        migrations.AddField(
            model_name='eventrating',
            name='grid_code',
            field=models.CharField(default='', max_length=15, verbose_name='grid code'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='eventrating',
            name='organization',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='organizations.organization', verbose_name='handling organization'),
        ),
        migrations.AlterField(
            model_name='eventrating',
            name='source',
            field=models.CharField(choices=[('public', 'Public status page'), ('call', 'Follow-up call'), ('resident', "The resident's own page")], max_length=10, verbose_name='source'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='eventrating',
            index=models.Index(fields=['grid_code', 'at'], name='rating_scope_at'),
        ),
    ]
