"""`wangge escalate`: escalate overdue events one level up; meant for cron."""


from wangge.cron import CronCommand
from wangge.events.services import event_escalate_overdue
from wangge.events.tasks import ESCALATION, escalate_overdue


class Command(CronCommand):
    help = ("Escalate every overdue open event one level up (grid → community → street → "
            "district) and notify the people responsible. Run it from cron, e.g. every "
            "15 minutes: */15 * * * * wangge escalate")
    task = escalate_overdue

    def run(self) -> str:
        return f"Escalated {event_escalate_overdue(by=ESCALATION)} overdue events."
