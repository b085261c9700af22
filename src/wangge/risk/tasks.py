"""The risk grades' scheduled work, for the task worker (`wangge risk-grades --refresh
--enqueue`)."""

from django_tasks import task

from wangge.foundation.actors import system_actor

from .services import grades_expire

EXPIRY = system_actor("wangge risk-grades")


@task()
def grades_expire_task() -> str:
    """Re-grade what time ended (a case out of its window); daily, from cron."""
    return str(grades_expire(by=EXPIRY))
