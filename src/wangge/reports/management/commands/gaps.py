"""`wangge gaps TEMPLATE --scope CODE`: how complete the registry is for a report, and what
each grid worker has left to collect."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from wangge.reports.management.commands.export import template_and_user
from wangge.reports.selectors import gap_report, gap_tasks, report_completeness


class Command(BaseCommand):
    help = "Completeness per column and grid, and the task list of missing values."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("template")
        parser.add_argument("--scope", required=True)
        parser.add_argument("--user")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        template, user = template_and_user(options)
        if options["json"]:
            report = gap_report(template, scope=options["scope"], user=user)
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        completeness = report_completeness(template, scope=options["scope"], user=user)
        tasks = gap_tasks(template, scope=options["scope"], user=user)
        total = completeness["total"]
        self.stdout.write(f"{template}: {total}")
        for header, filled in completeness["filled"].items():
            share = f"{100 * filled / total:.0f}%" if total else "-"
            self.stdout.write(f"  {header}: {filled}/{total} ({share})")
        if completeness["not_held"]:
            self.stdout.write("not held: " + ", ".join(completeness["not_held"]))
        for task in tasks:
            self.stdout.write(f"{task['grid_code']} {task['grid_name']} "
                              f"({', '.join(task['workers'])}): {len(task['persons'])}")
