"""Background work of the event loop (django-tasks; `wangge db_worker` runs it)."""

from django_tasks import task

from wangge.foundation.actors import system_actor

from .services import event_escalate_overdue

ESCALATION = system_actor("wangge escalate")


@task()
def escalate_overdue() -> int:
    """Escalate overdue events one level up; `wangge escalate` enqueues or runs it (cron)."""
    return event_escalate_overdue(by=ESCALATION)

