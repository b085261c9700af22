"""`wangge alerts-due`: publish the scheduled preparedness messages due today; for cron."""

from django.utils import timezone

from wangge.alerts.services import preparedness_due
from wangge.alerts.tasks import SCHEDULER, publish_due_preparedness
from wangge.cron import CronCommand


class Command(CronCommand):
    help = ("Publish every community's scheduled preparedness message due today (once per "
            "date, however often it runs). Run it from cron in the morning: "
            "0 8 * * * wangge alerts-due")
    task = publish_due_preparedness

    def run(self) -> str:
        published = preparedness_due(on=timezone.localdate(), by=SCHEDULER)
        return f"Published {len(published)} preparedness messages."
