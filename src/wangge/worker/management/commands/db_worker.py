"""`wangge db_worker`: django_tasks_db's worker, which carries on while the database is busy.

django_tasks_db's worker leaves its poll loop on "database is locked": on SQLite an import holds
the only write lock for minutes, so a second worker, or one polling while the web writes, would
stop. This one logs it, waits (longer each time, up to a minute) and polls again.
"""

import logging
from time import sleep
from typing import Any

from django.conf import settings
from django.db import OperationalError, close_old_connections, connections
from django_tasks_db.management.commands import db_worker as upstream
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import is_locked_database_exception

logger = logging.getLogger("wangge.worker")

FIRST_PAUSE_S = 1.0
LONGEST_PAUSE_S = 60.0


class SteadyWorker(upstream.Worker):
    """A worker whose poll loop survives a locked database."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.pause = FIRST_PAUSE_S

    def run(self) -> None:
        while True:
            try:
                return super().run()
            except OperationalError as error:
                if not is_locked_database_exception(error):
                    raise
                logger.warning("The database is busy (%s); polling again in %.0f s.",
                               error, self.pause)
            close_old_connections()
            sleep(self.pause)
            self.pause = min(self.pause * 2, LONGEST_PAUSE_S)
            self.startup_delay = False  # the herd is already spread

    def run_task(self, db_task_result: DBTaskResult) -> None:
        self.pause = FIRST_PAUSE_S
        super().run_task(db_task_result)


def use_worker_busy_timeout() -> None:
    """SQLite connections of a worker wait WANGGE_WORKER_DB_TIMEOUT seconds for the write lock
    (a request waits five): a worker has nobody waiting on it, and a short wait only means
    more retries."""
    for alias in connections:
        connection = connections[alias]
        if connection.vendor == "sqlite":
            connection.settings_dict.setdefault("OPTIONS", {})["timeout"] = (
                settings.WANGGE_WORKER_DB_TIMEOUT)
            connection.close()  # the next query connects with it


class Command(upstream.Command):
    help = upstream.Command.help + "; it waits out a busy database instead of stopping"

    def handle(self, *args: Any, **options: Any) -> None:
        use_worker_busy_timeout()
        # django_tasks_db's handle builds its worker by this module-level name.
        upstream.Worker, plain = SteadyWorker, upstream.Worker
        try:
            super().handle(*args, **options)
        finally:
            upstream.Worker = plain
