"""`wangge conventions-due`: close the votes whose deadline has passed; for cron."""

from wangge.conventions.services import conventions_due
from wangge.conventions.tasks import SCHEDULER, close_due_votes
from wangge.cron import CronCommand


class Command(CronCommand):
    help = ("Close every vote on a convention or proposal whose deadline has passed and "
            "compute its result (each once, however often it runs). Run it from cron every "
            "few minutes: */5 * * * * wangge conventions-due")
    task = close_due_votes

    def run(self) -> str:
        closed = conventions_due(by=SCHEDULER)
        return f"Closed {len(closed)} votes."
