"""`wangge notices-due`: publish the scheduled notices whose time has come; for cron."""

from wangge.cron import CronCommand
from wangge.notices.services import notices_due
from wangge.notices.tasks import SCHEDULER, publish_due_notices


class Command(CronCommand):
    help = ("Publish every scheduled notice whose time has come (each once, however often it "
            "runs). Run it from cron every few minutes: */5 * * * * wangge notices-due")
    task = publish_due_notices

    def run(self) -> str:
        published = notices_due(by=SCHEDULER)
        return f"Published {len(published)} notices."
