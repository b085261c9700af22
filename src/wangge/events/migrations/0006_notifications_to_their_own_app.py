"""Notifications now live in their own app (notifications/0001 took over their tables); the
events app forgets them, in its state only."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0005_public_ticket_and_sensitive_categories'),
        ('notifications', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.RemoveField(model_name='notificationpreference', name='user'),
            migrations.DeleteModel(name='Notification'),
            migrations.DeleteModel(name='NotificationPreference'),
        ]),
    ]
