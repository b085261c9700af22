from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "wangge.notices"
    verbose_name = _("Notices")

    def ready(self) -> None:
        from wangge.alerts.signals import alert_saved

        from .alerts import alert_notice

        alert_saved.connect(alert_notice, dispatch_uid="notices.alert_notice")
