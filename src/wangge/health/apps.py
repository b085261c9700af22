from django.apps import AppConfig
from django.core.checks import Tags, register
from django.utils.translation import gettext_lazy as _


class HealthConfig(AppConfig):
    name = "wangge.health"
    verbose_name = _("Health monitoring")

    def ready(self) -> None:
        from .checks import bench_endpoints_off
        from .imports import register_import_kind

        register(bench_endpoints_off, Tags.security, deploy=True)
        register_import_kind()
