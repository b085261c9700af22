from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "wangge.notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from . import services  # noqa: F401  (files the event loop's news)
