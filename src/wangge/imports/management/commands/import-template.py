"""`wangge import-template KIND --out FILE`: the workbook to fill in for `wangge import KIND`."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation

from wangge.imports.services import KINDS
from wangge.imports.templates import import_template


class Command(BaseCommand):
    help = ("Write the template workbook of a kind of import: its header row, drop-down lists, "
            "an example row and a notes sheet.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("--out", required=True, metavar="FILE.xlsx")
        parser.add_argument("--lang", default="zh-hans", help="language of headers and notes")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["lang"]):
            Path(options["out"]).write_bytes(import_template(options["kind"]))
        self.stdout.write(f"{options['out']}: fill it in, then `wangge import "
                          f"{options['kind']} {options['out']}`")
