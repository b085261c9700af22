from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NeedsConfig(AppConfig):
    name = "wangge.needs"
    verbose_name = _("Needs and offers")

    def ready(self) -> None:
        from wangge.events.offers import offer_register

        from .views import post_as_need_offer

        offer_register(post_as_need_offer)
