"""`wangge link-persons --scope CODE`: find the persons of a division or grid that may be one
person; merge the safe, certain pairs and queue the doubtful ones for review (see
docs/linkage.md)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from wangge.divisions.models import Division, Grid
from wangge.foundation.actors import system_actor
from wangge.linkage.linking import DEFAULT_THRESHOLD
from wangge.linkage.services import REVIEW_THRESHOLD, candidates_find


class Command(BaseCommand):
    help = ("Link the persons of a division or grid: merge pairs that are certainly one "
            "person (never two resident IDs) and queue doubtful pairs for review.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scope", required=True, metavar="CODE",
                            help="12-digit division or 15-digit grid code")
        parser.add_argument("--upper", type=float, default=DEFAULT_THRESHOLD,
                            help=f"match probability to merge a pair (default "
                                 f"{DEFAULT_THRESHOLD})")
        parser.add_argument("--lower", type=float, default=REVIEW_THRESHOLD,
                            help=f"match probability to queue a pair for review (default "
                                 f"{REVIEW_THRESHOLD})")
        parser.add_argument("--review-only", action="store_true",
                            help="merge nothing; queue every pair above --lower")
        parser.add_argument("--lang", default="zh-hans", help="language of messages")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["lang"]):
            scope = options["scope"]
            if not (Division.objects.filter(code=scope).exists()
                    or Grid.objects.filter(code=scope).exists()):
                raise CommandError(_("%(code)s is neither a division nor a grid.")
                                   % {"code": scope})
            try:
                result = candidates_find(scope=scope, by=system_actor("wangge link-persons"),
                                         lower=options["lower"], upper=options["upper"],
                                         auto_merge=not options["review_only"])
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
            self.stdout.write(_(
                "%(persons)d persons, %(pairs)d pairs scored at %(lower)s or above: "
                "%(merged)d merged, %(queued)d waiting for review, %(decided)d decided "
                "before.") % {**vars(result), "lower": options["lower"]})
