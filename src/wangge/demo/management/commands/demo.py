"""`wangge demo`: build a synthetic district with residents and accounts, then serve it."""

import json
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from wangge.demo.build import DEFAULT_SEED, DemoRefusedError, demo_build


class Command(BaseCommand):
    help = (
        "A development command: replace the demo district (420102 江岸区, with accounts "
        "demo-*) by a freshly generated one, print its accounts as JSON on the last line of "
        "stdout, then serve on 127.0.0.1:8000 (with a task worker for uploads) unless "
        "--no-serve. Progress goes to stderr. It runs only with DEBUG=1 or "
        "--i-know-this-is-not-production, and refuses (deleting nothing) when anything under "
        "420102 was not made by the demo."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--residents", type=int, default=20_000,
                            help="how many residents to generate (default 20000)")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                            help="the same seed gives the same district and people")
        parser.add_argument("--no-serve", action="store_true", help="stop after loading")
        parser.add_argument("--addrport", default="127.0.0.1:8000",
                            help="where to serve (default 127.0.0.1:8000)")
        parser.add_argument("--i-know-this-is-not-production", action="store_true",
                            dest="not_production",
                            help="run although DEBUG is off (`make demo` says so)")

    def handle(self, *args: object, **options: object) -> None:
        if not (settings.DEBUG or options["not_production"]):
            raise CommandError(_(
                "wangge demo replaces district 420102 and the demo-* accounts with synthetic "
                "ones: it is for development only. Run it with DEBUG=1, or with "
                "--i-know-this-is-not-production on a database of its own."))
        started = time.monotonic()

        def progress(line: str) -> None:
            self.stderr.write(f"[{time.monotonic() - started:7.1f}s] {line}")

        try:
            accounts = demo_build(residents=options["residents"], seed=options["seed"],
                                  progress=progress)
        except DemoRefusedError as error:
            raise CommandError(str(error)) from error
        progress("Done.")
        self.stdout.write(json.dumps({"accounts": accounts}, ensure_ascii=False))
        if options["no_serve"]:
            return
        # Uploads are imported in the background: the worker runs beside the server and stops
        # with it, so the demo needs no second terminal.
        worker = subprocess.Popen([sys.executable, "-m", "wangge.cli", "db_worker",
                                   "--no-reload", "--interval", "0.5"], stdout=sys.stderr)
        # SIGTERM (not only Ctrl-C) must reach the `finally` that stops the worker.
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
        try:
            # WhiteNoise (with WHITENOISE_USE_FINDERS) serves static files whatever DEBUG is,
            # so runserver needs no --insecure. Its banner goes to stderr: the JSON stays last
            # on stdout.
            call_command("runserver", options["addrport"], use_reloader=False,
                         stdout=sys.stderr)
        finally:
            worker.terminate()  # the worker finishes the task it is running, then stops
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()  # an import cut short rolls back: nothing half-written
