"""Background work of emergencies (django-tasks; `wangge db_worker` runs it)."""

from django_tasks import task

from wangge.foundation.actors import system_actor

from .services import callouts_escalate

ESCALATION = system_actor("wangge callouts")


@task()
def escalate_callouts() -> int:
    """Call the deputies of members who have not answered in time; `wangge callouts`
    enqueues or runs it (cron, every minute)."""
    return callouts_escalate(by=ESCALATION)
