"""Background work of conventions (django-tasks; `wangge db_worker` runs it)."""

from django_tasks import task

from wangge.foundation.actors import system_actor

from .services import conventions_due

SCHEDULER = system_actor("wangge conventions-due")


@task()
def close_due_votes() -> int:
    """Close the votes whose deadline has passed; `wangge conventions-due` runs or enqueues
    it."""
    return len(conventions_due(by=SCHEDULER))
