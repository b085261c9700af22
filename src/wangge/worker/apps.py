from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkerConfig(AppConfig):
    """The task worker (`wangge db_worker`): listed before django_tasks_db in INSTALLED_APPS so
    that its command is the one run (Django takes a command from the first app that has it)."""

    name = "wangge.worker"
    verbose_name = _("Task worker")
