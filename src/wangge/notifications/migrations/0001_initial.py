"""Notifications move out of the events app: the models are taken over as they stand (state
only), then their tables renamed, and their content types follow them (so permissions given
on them stay given)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def content_types_moved(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(
        app_label="events", model__in=["notification", "notificationpreference"]
    ).update(app_label="notifications")


def content_types_moved_back(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(
        app_label="notifications", model__in=["notification", "notificationpreference"]
    ).update(app_label="events")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('events', '0005_public_ticket_and_sensitive_categories'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
                migrations.CreateModel(
                    name='NotificationPreference',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kinds', models.JSONField(default=dict)),
                        ('webhook_url', models.URLField(blank=True, verbose_name='group-chat bot webhook')),
                        ('webhook_format', models.CharField(choices=[('wecom', 'WeCom group bot'), ('dingtalk', 'DingTalk group bot'), ('feishu', 'Feishu group bot'), ('json', 'Plain JSON')], default='wecom', max_length=10, verbose_name='webhook format')),
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='notification_preference', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'notification preference',
                        'verbose_name_plural': 'notification preferences',
                        'db_table': 'events_notificationpreference',
                    },
                ),
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('reported', 'New event in my area'), ('state', 'An event I follow changed state'), ('dispatched', 'An event was dispatched to my organization'), ('assigned', 'An event was assigned to me'), ('comment', 'A comment on an event I follow'), ('mention', 'Someone mentioned me'), ('merged', 'My report was merged into another'), ('escalated', 'An overdue event was escalated')], max_length=12, verbose_name='kind')),
                        ('detail', models.CharField(blank=True, max_length=200)),
                        ('created_at', models.DateTimeField(verbose_name='time')),
                        ('read_at', models.DateTimeField(blank=True, null=True, verbose_name='read at')),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('event', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to='events.event')),
                        ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'notification',
                        'verbose_name_plural': 'notifications',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(fields=['recipient', 'read_at'], name='notification_unread')],
                        'db_table': 'events_notification',
                    },
                ),
        ]),
        migrations.AlterModelTable(name='notificationpreference', table=None),
        migrations.AlterModelTable(name='notification', table=None),
        migrations.RunPython(content_types_moved, content_types_moved_back),
    ]
