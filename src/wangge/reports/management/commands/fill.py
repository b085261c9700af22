"""`wangge fill FORM.xlsx --scope CODE --out FILLED.xlsx`: a department's own blank form,
filled from the registry (docs/reports.md, "Filling a department's form")."""

import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from wangge.access.models import User
from wangge.auditlog.models import Purpose
from wangge.auditlog.services import AccessLogUnavailableError, purpose_text
from wangge.foundation.actors import Actor, system_actor
from wangge.foundation.codes import level_of
from wangge.foundation.permissions import Action, require
from wangge.reports.fill import form_export, form_read, population_given
from wangge.reports.selectors import scope_visible_to
from wangge.spreadsheets import UnreadableFileError


class Command(BaseCommand):
    help = ("Fill a department's blank xlsx form (its own title rows and column wording) "
            "with the persons of a division or grid, and list the columns left empty.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("form", help="the department's blank form (.xlsx)")
        parser.add_argument("--scope", required=True, help="division or grid code")
        parser.add_argument("--out", required=True, help="FILLED.xlsx")
        parser.add_argument("--population",
                            help='whom the form lists: report filters as JSON ({"populations": '
                                 '["disability"]}) or population codes (older_people,disability);'
                                 " by default read from the form's columns and title")
        parser.add_argument("--user", help="fill as this user (their jurisdiction, masks)")
        parser.add_argument("--purpose", default="",
                            help="why, for the access log (default: a department's report)")
        parser.add_argument("--json", action="store_true",
                            help='print {"rows": N, "columns": [{"header", "field", "filled"}]}')
        parser.add_argument("--lang", default="zh-hans", help="language of messages")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["lang"]):
            self._fill(options)

    def _fill(self, options: dict[str, Any]) -> None:
        scope = options["scope"]
        try:
            level_of(scope)
        except ValidationError as error:
            raise CommandError(error.messages[0]) from error
        user = None
        by: Actor = system_actor("wangge fill")  # every jurisdiction, unmasked, unless --user
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"no user {options['user']}")
            try:
                require(user, Action.USE_REPORTS)
            except PermissionDenied as error:
                raise CommandError(f"{user.username}: {error}") from error
            if not scope_visible_to(user, scope):
                raise CommandError(f"{scope} is outside {user.username}'s jurisdiction")
            by = user
        population = None
        if options["population"]:
            try:
                population = population_given(options["population"])
            except ValueError as error:
                raise CommandError(str(error)) from error
        try:
            form = form_read(options["form"], population=population)
        except (UnreadableFileError, OSError) as error:
            raise CommandError(str(error)) from error
        purpose = purpose_text(Purpose.DEPARTMENT, options["purpose"])
        try:
            filled = form_export(form, scope=scope, user=user, by=by, out=options["out"],
                                 purpose=purpose)
        except AccessLogUnavailableError as error:
            raise CommandError(str(error.message)) from error
        if options["json"]:
            self.stdout.write(json.dumps(filled.as_json(), ensure_ascii=False))
            return
        self.stdout.write(f"{filled.rows} rows → {options['out']}")
        for column in filled.columns:
            if column.reason:
                self.stdout.write(f"  {column.header}: {column.reason}")
