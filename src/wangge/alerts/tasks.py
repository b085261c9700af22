"""Background work of public alerts (django-tasks; `wangge db_worker` runs it)."""

from django.utils import timezone
from django_tasks import task

from wangge.foundation.actors import system_actor

from .services import preparedness_due

SCHEDULER = system_actor("wangge alerts-due")


@task()
def publish_due_preparedness() -> int:
    """Publish the preparedness messages due today; `wangge alerts-due` runs or enqueues it."""
    return len(preparedness_due(on=timezone.localdate(), by=SCHEDULER))
