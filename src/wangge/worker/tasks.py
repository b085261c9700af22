"""Housekeeping the deployment schedules (cron, or these tasks run by `wangge db_worker`)."""

from django_tasks import task

from wangge.epidemic.services import visits_purge
from wangge.health.services import check_ins_purge
from wangge.imports.jobs import import_files_purge
from wangge.imports.queue import queued_rows_purge
from wangge.measures.services import measures_purge
from wangge.open311.services import public_contacts_purge


@task()
def purge_task() -> dict[str, int]:
    """Delete what is kept past its retention period; `wangge purge` runs or enqueues it."""
    return purge()


def purge() -> dict[str, int]:
    """Uploads and rejects past WANGGE_UPLOAD_RETENTION_DAYS, residents' contacts on public
    reports past WANGGE_PUBLIC_CONTACT_RETENTION_DAYS, rows waiting in the address queue past
    WANGGE_UPLOAD_RETENTION_DAYS, health check-ins past WANGGE_CHECKIN_RETENTION_DAYS (reduced
    to counts per grid and day), venue visits past WANGGE_VISIT_RETENTION_DAYS (but those an
    exposure rests on), lawful measures ended over WANGGE_MEASURE_RETENTION_DAYS ago (reduced
    to counts per grid, kind and month); how many of each."""
    return {"uploads": import_files_purge(), "public_contacts": public_contacts_purge(),
            "waiting_rows": queued_rows_purge(), "check_ins": check_ins_purge(),
            "venue_visits": visits_purge(), "measures": measures_purge()}
