from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkerConfig(AppConfig):
    """Background work: the task worker (`wangge db_worker`) and scheduled housekeeping
    (`wangge purge`). Listed before django_tasks_db in INSTALLED_APPS so that its db_worker
    is the one run (Django takes a command from the first app that has it)."""

    name = "wangge.worker"
    verbose_name = _("Background work")
