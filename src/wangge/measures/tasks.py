"""Background work of lawful measures (django-tasks; `wangge db_worker` runs it)."""

from django_tasks import task

from wangge.foundation.actors import system_actor

from .services import measures_expire

EXPIRY = system_actor("wangge measures-expire")


@task()
def expire_measures() -> int:
    """End the active measures whose end has passed; `wangge measures-expire` enqueues or
    runs it (cron)."""
    return measures_expire(by=EXPIRY)
