"""`wangge risk-grades`: re-grade what time ended (daily, from cron), grade everything again,
or check the stored grades against a full recompute."""

from typing import Any

from django.core.management.base import CommandError, CommandParser

from wangge.cron import CronCommand
from wangge.risk.services import grades_differences, grades_expire, grades_recompute
from wangge.risk.tasks import EXPIRY, grades_expire_task


class Command(CronCommand):
    help = ("Risk grades. --refresh re-grades the subjects whose reasons ran out (a case "
            "older than its rule's window): run it daily from cron, just after midnight: "
            "5 0 * * * wangge risk-grades --refresh. --recompute grades everything from "
            "scratch under the rules in force; --check compares the stored grades with a "
            "full recompute and fails when they differ.")
    task = grades_expire_task

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        what = parser.add_mutually_exclusive_group(required=True)
        what.add_argument("--refresh", action="store_true", help="re-grade what expired")
        what.add_argument("--recompute", action="store_true", help="grade everything again")
        what.add_argument("--check", action="store_true",
                          help="compare the stored grades with a full recompute")

    def handle(self, *args: Any, **options: Any) -> None:
        self.options = options
        if options["check"]:
            differences = grades_differences()
            for line in differences[:100]:
                self.stdout.write(line)
            if differences:
                raise CommandError(f"{len(differences)} stored grades differ from a full "
                                   f"recompute; `wangge risk-grades --recompute` repairs them.")
            self.stdout.write("The stored grades equal a full recompute.")
            return
        super().handle(*args, **options)

    def run(self) -> str:
        if self.options["recompute"]:
            return f"Recomputed every grade: {grades_recompute(by=EXPIRY)}."
        return f"Re-graded what expired: {grades_expire(by=EXPIRY)}."
