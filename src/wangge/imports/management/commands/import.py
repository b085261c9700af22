"""`wangge import KIND FILE`: import a department's spreadsheet (see docs/imports.md)."""

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from wangge.access.models import User
from wangge.foundation.actors import Actor, system_actor
from wangge.imports.rejects import write_rejects
from wangge.imports.services import import_file, import_kind, import_kinds
from wangge.spreadsheets import UnreadableFileError


class Command(BaseCommand):
    help = ("Import persons, buildings, dwellings, facilities or organizations from an xlsx, "
            "xls or CSV file; nothing is written if a row is bad.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help="persons, buildings, dwellings, facilities, "
                            "organizations, a kind an app adds (depots, stocks, shelters, "
                            "check-ins) or population-<key>: a population's list")
        parser.add_argument("file")
        parser.add_argument("--map", action="append", default=[], metavar="COLUMN=FIELD",
                            help="read COLUMN as FIELD (repeatable)")
        parser.add_argument("--partial", action="store_true",
                            help="write the valid rows even if some are rejected")
        parser.add_argument("--rejects", metavar="OUT.xlsx",
                            help="write the rejected rows with their reasons, and the "
                                 "warnings, here")
        parser.add_argument("--json", action="store_true", help="print one summary object")
        parser.add_argument("--lang", default="zh-hans", help="language of messages")
        parser.add_argument("--sheet", help="the sheet to read (default: the first)")
        parser.add_argument("--department", default="", help="the department the file is from")
        parser.add_argument("--user", help="import as this user, within their jurisdiction")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["lang"]):
            code = self._import(options)
        if code:
            sys.exit(code)

    def _import(self, options: dict[str, Any]) -> int:
        if import_kind(options["kind"]) is None:
            raise CommandError(f"no kind {options['kind']}; use one of "
                               f"{', '.join(import_kinds())}")
        overrides = {}
        for mapping in options["map"]:
            column, _, field = mapping.partition("=")
            if not field:
                raise CommandError(f"--map {mapping}: write it as COLUMN=FIELD")
            overrides[column.strip()] = field.strip()
        by: Actor = system_actor("wangge import")  # every jurisdiction, unless --user
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"no user {options['user']}")
            by = user
        try:
            summary = import_file(
                kind=options["kind"], path=options["file"], by=by,
                department=options["department"], overrides=overrides,
                partial=options["partial"], sheet=options["sheet"],
                progress=lambda summary: self.stderr.write(f"\r{summary.rows}", ending=""),
            )
        except UnreadableFileError as error:
            self.stderr.write(str(error))
            return 2
        self.stderr.write("")
        lines = self.stderr if options["json"] else self.stdout
        for rejection in summary.rejections:
            lines.write(rejection.line())
        for warning in summary.warnings:
            lines.write(_("Warning: %(line)s") % {"line": warning.line()})
        if options["rejects"] and (summary.rejections or summary.warnings):
            write_rejects(summary, options["rejects"])
        if options["json"]:
            self.stdout.write(json.dumps(summary.counts()))
        else:
            self.stdout.write(" ".join(f"{name}={value}"
                                       for name, value in summary.counts().items()))
        return 1 if summary.rejected and not options["partial"] else 0
