"""`wangge purge`: delete what is kept past its retention period; meant for cron."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from wangge.worker.tasks import purge, purge_task


class Command(BaseCommand):
    help = ("Delete uploaded files and their rejects WANGGE_UPLOAD_RETENTION_DAYS after their "
            "import finished, and clear residents' contacts on public reports "
            "WANGGE_PUBLIC_CONTACT_RETENTION_DAYS after the event closed. Run it daily from "
            "cron: 30 3 * * * wangge purge")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enqueue", action="store_true",
                            help="hand the work to the background worker instead of doing "
                                 "it now")

    def handle(self, *args: Any, enqueue: bool = False, **options: Any) -> None:
        if enqueue:
            result = purge_task.enqueue()
            self.stdout.write(f"Enqueued {result.id}.")
            return
        counts = purge()
        self.stdout.write(
            f"Removed {counts['uploads']} uploads kept over "
            f"{settings.WANGGE_UPLOAD_RETENTION_DAYS} days; cleared the contacts of "
            f"{counts['public_contacts']} public reports closed over "
            f"{settings.WANGGE_PUBLIC_CONTACT_RETENTION_DAYS} days ago.")
