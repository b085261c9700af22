"""`wangge export TEMPLATE --scope CODE --out FILE.xlsx`: a department's report."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from wangge.access.models import User
from wangge.foundation.codes import level_of
from wangge.reports.export import export_report
from wangge.reports.models import ReportTemplate


class Command(BaseCommand):
    help = "Write a report template's rows for a division or grid to xlsx or CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("template", help="the template's code (slug)")
        parser.add_argument("--scope", required=True, help="division or grid code")
        parser.add_argument("--out", required=True, help="FILE.xlsx or FILE.csv")
        parser.add_argument("--user", help="export as this user (their jurisdiction, masks)")

    def handle(self, *args: Any, **options: Any) -> None:
        template, user = template_and_user(options)
        count = export_report(template, scope=options["scope"], user=user, path=options["out"])
        self.stdout.write(f"{count} rows → {options['out']}")


def template_and_user(options: dict[str, Any]) -> tuple[ReportTemplate, User | None]:
    """The named template and user, or a CommandError that lists what exists."""
    template = ReportTemplate.objects.filter(slug=options["template"]).first()
    if template is None:
        slugs = ", ".join(ReportTemplate.objects.values_list("slug", flat=True))
        raise CommandError(f"no template {options['template']}; there are: {slugs}")
    user = None
    if options.get("user"):
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"no user {options['user']}")
    try:
        level_of(options["scope"])
    except ValidationError as error:
        raise CommandError(error.messages[0]) from error
    return template, user
