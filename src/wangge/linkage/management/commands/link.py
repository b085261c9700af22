"""`wangge link FILE [FILE ...] --out clusters.csv`: find the one person behind rows of
department lists, from the files alone (see docs/linkage.md). No database is opened."""

import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from wangge.linkage.linking import (
    DEFAULT_THRESHOLD,
    Linkage,
    explain,
    find_record,
    link,
    read_files,
    write_clusters,
)
from wangge.spreadsheets import UnreadableFileError


class Command(BaseCommand):
    help = ("Link rows of xlsx, xls or CSV department lists that are the same person; write "
            "source,row,cluster for every row.")
    # Files only: no system checks (they may query the database) and no migrations check.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--out", metavar="CLUSTERS.csv",
                            help="write source,row,cluster here")
        parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD,
                            help=f"match probability to link a pair (default "
                                 f"{DEFAULT_THRESHOLD})")
        parser.add_argument("--explain", nargs=2, metavar="SOURCE:ROW",
                            help="print each comparison and weight for a pair of rows")
        parser.add_argument("--map", action="append", default=[], metavar="COLUMN=FIELD",
                            help="read COLUMN as FIELD (repeatable)")
        parser.add_argument("--lang", default="zh-hans", help="language of messages")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["lang"]):
            code = self._link(options)
        if code:
            sys.exit(code)

    def _link(self, options: dict[str, Any]) -> int:
        if not options["out"] and not options["explain"]:
            raise CommandError(_("Say where to write the clusters with --out, or ask for "
                                 "--explain."))
        if not 0 < options["threshold"] < 1:
            raise CommandError(_("--threshold is a probability between 0 and 1, such as 0.9."))
        overrides = {}
        for mapping in options["map"]:
            column, _sep, field = mapping.partition("=")
            if not field:
                raise CommandError(_("--map %(mapping)s: write it as COLUMN=FIELD")
                                   % {"mapping": mapping})
            overrides[column.strip()] = field.strip()
        try:
            table = read_files(options["files"], overrides=overrides)
        except UnreadableFileError as error:
            self.stderr.write(str(error))
            return 2
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        pair = None
        if options["explain"]:
            try:
                pair = [find_record(table, reference) for reference in options["explain"]]
            except ValueError as error:
                raise CommandError(str(error)) from error
        linkage = link(table, threshold=options["threshold"])
        if options["out"]:
            write_clusters(linkage, options["out"])
            self.stderr.write(_("%(rows)d rows, %(people)d people.")
                              % {"rows": len(table), "people": linkage.cluster_count})
        if pair:
            self._explain(linkage, *pair)
        return 0

    def _explain(self, linkage: Linkage, left: int, right: int) -> None:
        result = explain(linkage, left, right)
        columns = ("comparison", "left", "right", "level", "m", "u", "weight")
        self.stdout.write("\t".join(columns))
        for row in result.rows:
            self.stdout.write("\t".join(row[column] for column in columns))
        self.stdout.write(f"prior\t\t\t\t\t\t{result.prior_weight:+.2f}")
        self.stdout.write(f"total\t\t\t\t\t\t{result.total:+.2f}")
        self.stdout.write(_("Match probability %(probability).6f; threshold %(threshold)s; "
                            "%(outcome)s.") % {
            "probability": result.probability, "threshold": f"{linkage.threshold:.4g}",
            "outcome": _("same person") if result.same_cluster else _("different people")})
        if result.rule:
            self.stdout.write(result.rule)
