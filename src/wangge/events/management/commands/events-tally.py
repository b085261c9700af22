"""`wangge events-tally`: check the cockpit's tally of events against a recount, or rebuild it
(after events were changed behind the services' back: a restore, a bulk load, a SQL fix)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wangge.events.tally import tally_differences, tally_rebuild
from wangge.foundation.codes import scope_prefix


class Command(BaseCommand):
    help = ("Check the events' tally (the cockpit's daily counts per grid) against a recount "
            "of the events, or rebuild it with --rebuild.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rebuild", action="store_true",
                            help="replace the tally with a recount instead of checking it")
        parser.add_argument("--scope", default="", metavar="CODE",
                            help="only this division or grid (12 or 15 digits; default all)")

    def handle(self, *args: Any, rebuild: bool = False, scope: str = "", **options: Any
               ) -> None:
        if scope and not (scope.isdigit() and len(scope) in (12, 15)):
            raise CommandError(f"{scope} is not a division code (12 digits) or grid code "
                               "(15 digits).")
        prefix = scope_prefix(scope) if scope else ""
        if rebuild:
            self.stdout.write(f"Rebuilt the tally: {tally_rebuild(prefix)} rows.")
            return
        differences = tally_differences(prefix)
        for line in differences[:50]:
            self.stdout.write(line)
        if differences:
            raise CommandError(f"The tally differs from the events in {len(differences)} "
                               "rows; `wangge events-tally --rebuild` recounts it.")
        self.stdout.write("The tally agrees with the events.")
