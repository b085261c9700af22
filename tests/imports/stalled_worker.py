"""A task worker that stalls in the middle of an import, its transaction open, until it is
killed: ``python -m tests.imports.stalled_worker`` with DATABASE_URL and WANGGE_VAR_DIR set.

It is `wangge db_worker` itself; only the progress report, made inside the import's transaction
after each chunk of rows is written, waits there for ever once it has been made.
"""

import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wangge.settings")
django.setup()

from django.core.management import call_command  # noqa: E402  (after django.setup)

from wangge.imports import tasks  # noqa: E402

report = tasks.job_progress_write


def report_then_stall(job, rows: int) -> None:
    report(job, rows)
    time.sleep(3600)


tasks.job_progress_write = report_then_stall
call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
