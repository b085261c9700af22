from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeasuresConfig(AppConfig):
    name = "wangge.measures"
    verbose_name = _("Lawful measures")

    def ready(self) -> None:
        from .ledger import register

        register()  # the ledger's rows, for the reports app's templates
