from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditlogConfig(AppConfig):
    name = "wangge.auditlog"
    verbose_name = _("Access and security log")

    def ready(self) -> None:
        from . import signals

        signals.connect()
