"""`wangge callouts`: call the deputies of team members who have not answered; for cron."""

from wangge.cron import CronCommand
from wangge.emergency.services import callouts_escalate
from wangge.emergency.tasks import ESCALATION, escalate_callouts


class Command(CronCommand):
    help = ("Call the deputy of every team member called for an emergency who has not "
            "answered within WANGGE_CALLOUT_ANSWER_MINUTES. Run it from cron every minute: "
            "* * * * * wangge callouts")
    task = escalate_callouts

    def run(self) -> str:
        return f"Called {callouts_escalate(by=ESCALATION)} deputies."
