"""`wangge stock-alerts`: tell owners of low stock and expiring or expired materials; meant
for cron."""

from wangge.cron import CronCommand
from wangge.resources.alerts import stock_alerts_check
from wangge.resources.tasks import check_stock_alerts


class Command(CronCommand):
    help = ("Open an alert for each material at or below its low-stock threshold, expiring "
            "within WANGGE_EXPIRY_WARNING_DAYS or past its expiry date, tell its owner's staff "
            "once, and close the alerts whose condition ended. Run it daily from cron: "
            "10 0 * * * wangge stock-alerts")
    task = check_stock_alerts

    def run(self) -> str:
        checked = stock_alerts_check()
        return (f"Opened {checked.opened} alerts, closed {checked.closed}; "
                f"{checked.told} notifications filed.")
