from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    name = "wangge.resources"
    verbose_name = _("Emergency resources")

    def ready(self) -> None:
        from .imports import register_import_kinds

        register_import_kinds()
