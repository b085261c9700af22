"""Linkage in the background: after an upload of persons, look for the records it may have
doubled (one person, one record), in the uploader's jurisdictions."""

from django_tasks import task

from wangge.foundation.actors import system_actor

from .services import candidates_find

# Merges found after an upload are the system's, named in their history.
LINK_AFTER_IMPORT = system_actor("link after import")


@task()
def link_after_import_task(scopes: list[str]) -> dict[str, int]:
    """Run ``candidates_find`` in each scope (division or grid codes) as the system: safe pairs
    above the upper threshold merge with their evidence, the doubtful ones wait for review.
    Returns how many pairs were merged and queued."""
    merged = queued = 0
    for scope in scopes:
        found = candidates_find(scope=scope, by=LINK_AFTER_IMPORT)
        merged += found.merged
        queued += found.queued
    return {"merged": merged, "queued": queued}
