"""``wangge audit verify|flush|prune``: check the log's hash chain, chain spooled entries,
remove entries past the retention period."""

import datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from wangge.auditlog import chain


class Command(BaseCommand):
    help = "Verify the access and security log's hash chain; flush its spool; prune it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "flush", "prune"])

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "flush":
            self.stdout.write(f"{chain.flush()} spooled entries chained.")
        elif action == "prune":
            days = settings.WANGGE_ACCESS_LOG_RETENTION_DAYS
            before = timezone.now() - datetime.timedelta(days=days)
            count = chain.prune(before=before)
            self.stdout.write(f"{count} entries older than {days} days removed.")
        else:
            self._verify()

    def _verify(self) -> None:
        verdict = chain.verify()
        for problem in verdict.problems:
            self.stderr.write(problem)
        if not verdict.intact:
            raise CommandError(f"The log has been tampered with: {len(verdict.problems)} "
                               f"problem(s) in {verdict.checked} entries.")
        # The head is what to keep elsewhere (a printout, another system): a chain rewritten
        # from the start would end in another head.
        self.stdout.write(f"{verdict.checked} entries intact; head {verdict.head_sequence} "
                          f"{verdict.head_hash}")
