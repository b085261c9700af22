from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EpidemicConfig(AppConfig):
    name = "wangge.epidemic"
    verbose_name = _("Cases and exposures")

    def ready(self) -> None:
        from wangge.events.offers import offer_register

        from .views import record_case_offer

        offer_register(record_case_offer)
