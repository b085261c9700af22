from typing import Any

from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def create_cache_table(*, using: str, **_kwargs: Any) -> None:
    """The database cache's table, where the rate limits count (made when missing)."""
    call_command("createcachetable", database=using, verbosity=0)


class Open311Config(AppConfig):
    name = "wangge.open311"
    verbose_name = _("Public reporting and Open311")

    def ready(self) -> None:
        post_migrate.connect(create_cache_table, sender=self)
