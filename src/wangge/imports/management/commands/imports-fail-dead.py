"""`wangge imports-fail-dead`: mark failed the imports whose worker died; meant for cron."""


from wangge.cron import CronCommand
from wangge.imports.liveness import import_jobs_fail_dead
from wangge.imports.tasks import fail_dead_imports_task


class Command(CronCommand):
    help = ("Mark failed every running import whose worker died (killed, or the server "
            "restarted), so that its uploader sees why and may retry it; nothing of it was "
            "written. Run it from cron, e.g. every 5 minutes: "
            "*/5 * * * * wangge imports-fail-dead")
    task = fail_dead_imports_task

    def run(self) -> str:
        return f"Marked {import_jobs_fail_dead()} imports failed."
