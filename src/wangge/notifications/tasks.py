"""Background delivery (django-tasks; `wangge db_worker` runs it)."""

from django_tasks import task

from .delivery import deliver


@task()
def deliver_notification(notification_id: int, channel: str) -> None:
    """Send one notification on one delivery channel (email, webhook)."""
    deliver(notification_id, channel)
