"""`wangge imports-fail-dead`: mark failed the imports whose worker died; meant for cron."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from wangge.imports.liveness import import_jobs_fail_dead
from wangge.imports.tasks import fail_dead_imports_task


class Command(BaseCommand):
    help = ("Mark failed every running import whose worker died (killed, or the server "
            "restarted), so that its uploader sees why and may retry it; nothing of it was "
            "written. Run it from cron, e.g. every 5 minutes: "
            "*/5 * * * * wangge imports-fail-dead")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enqueue", action="store_true",
                            help="hand the work to the background worker instead of doing "
                                 "it now")

    def handle(self, *args: Any, enqueue: bool = False, **options: Any) -> None:
        if enqueue:
            result = fail_dead_imports_task.enqueue()
            self.stdout.write(f"Enqueued {result.id}.")
            return
        self.stdout.write(f"Marked {import_jobs_fail_dead()} imports failed.")
