"""`wangge purge`: delete what is kept past its retention period; meant for cron."""

from django.conf import settings

from wangge.cron import CronCommand
from wangge.worker.tasks import purge, purge_task


class Command(CronCommand):
    help = ("Delete uploaded files and their rejects WANGGE_UPLOAD_RETENTION_DAYS after their "
            "import finished, and clear residents' contacts on public reports "
            "WANGGE_PUBLIC_CONTACT_RETENTION_DAYS after the event closed, and reduce health "
            "check-ins older than WANGGE_CHECKIN_RETENTION_DAYS to counts per grid and day, "
            "delete venue visits older than WANGGE_VISIT_RETENTION_DAYS that no exposure "
            "rests on, and reduce lawful measures ended over WANGGE_MEASURE_RETENTION_DAYS ago "
            "to counts. "
            "Run it daily from cron: 30 3 * * * wangge purge")
    task = purge_task

    def run(self) -> str:
        counts = purge()
        return (f"Removed {counts['uploads']} uploads kept over "
                f"{settings.WANGGE_UPLOAD_RETENTION_DAYS} days; cleared the contacts of "
                f"{counts['public_contacts']} public reports closed over "
                f"{settings.WANGGE_PUBLIC_CONTACT_RETENTION_DAYS} days ago; reduced "
                f"{counts['check_ins']} health check-ins older than "
                f"{settings.WANGGE_CHECKIN_RETENTION_DAYS} days to counts; deleted "
                f"{counts['venue_visits']} venue visits older than "
                f"{settings.WANGGE_VISIT_RETENTION_DAYS} days; reduced "
                f"{counts['measures']} measures ended over "
                f"{settings.WANGGE_MEASURE_RETENTION_DAYS} days ago to counts.")
