"""`wangge measures-expire`: end the measures whose end date has passed; meant for cron."""

from wangge.cron import CronCommand
from wangge.measures.services import measures_expire
from wangge.measures.tasks import EXPIRY, expire_measures


class Command(CronCommand):
    help = ("End every active measure whose end or review date has passed (it lifts itself) "
            "and notify those concerned. Run it from cron shortly after midnight: "
            "5 0 * * * wangge measures-expire")
    task = expire_measures

    def run(self) -> str:
        return f"Ended {measures_expire(by=EXPIRY)} measures past their end."
