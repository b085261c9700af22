"""`wangge rotate-data-key [--batch-size N]`: every encrypted value re-encrypted under the
current data key (the first of WANGGE_DATA_KEYS) and its blind index recomputed with
WANGGE_DATA_INDEX_KEY. Each batch is its own transaction and rows already under the current
keys are left alone, so a run that stops is simply run again (README: "Data keys")."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from wangge.crypto import encrypted_tables, keyring, reseal


class Command(BaseCommand):
    help = ("Re-encrypt every ID number and phone under the current data key and recompute "
            "their blind indexes; resumable, one transaction per batch.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=2000, metavar="N",
                            help="rows per transaction (default 2000)")

    def handle(self, *args: Any, **options: Any) -> None:
        current = keyring().current
        for table, key, columns in encrypted_tables():
            rewritten = reseal(connection, table, key, columns,
                               batch_size=max(1, options["batch_size"]))
            self.stdout.write(f"{table}: {rewritten} rows re-encrypted under key {current!r}")
