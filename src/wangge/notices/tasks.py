"""Background work of notices (django-tasks; `wangge db_worker` runs it)."""

from django_tasks import task

from wangge.foundation.actors import system_actor

from .services import notices_due

SCHEDULER = system_actor("wangge notices-due")


@task()
def publish_due_notices() -> int:
    """Publish the scheduled notices whose time has come; `wangge notices-due` runs or
    enqueues it."""
    return len(notices_due(by=SCHEDULER))
