"""`wangge escalate`: escalate overdue events one level up; meant for cron."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from wangge.events.services import event_escalate_overdue
from wangge.events.tasks import ESCALATION, escalate_overdue


class Command(BaseCommand):
    help = ("Escalate every overdue open event one level up (grid → community → street → "
            "district) and notify the people responsible. Run it from cron, e.g. every "
            "15 minutes: */15 * * * * wangge escalate")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enqueue", action="store_true",
                            help="hand the work to the background worker instead of doing "
                                 "it now")

    def handle(self, *args: Any, enqueue: bool = False, **options: Any) -> None:
        if enqueue:
            result = escalate_overdue.enqueue()
            self.stdout.write(f"Enqueued {result.id}.")
            return
        count = event_escalate_overdue(by=ESCALATION)
        self.stdout.write(f"Escalated {count} overdue events.")
