"""The shape of a command meant for cron: do the work now, or ``--enqueue`` it for the task
worker (`wangge escalate`, `wangge purge`, `wangge imports-fail-dead`,
`wangge risk-grades --refresh`)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class CronCommand(BaseCommand):
    """Subclasses name their ``task`` and say in ``run`` what the work did."""

    task: Any

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enqueue", action="store_true",
                            help="hand the work to the background worker instead of doing "
                                 "it now")

    def run(self) -> str:
        raise NotImplementedError

    def handle(self, *args: Any, enqueue: bool = False, **options: Any) -> None:
        if enqueue:
            self.stdout.write(f"Enqueued {self.task.enqueue().id}.")
        else:
            self.stdout.write(self.run())
