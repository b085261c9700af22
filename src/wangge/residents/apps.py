from django.apps import AppConfig
from django.core.checks import Tags, register
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    name = "wangge.residents"
    verbose_name = _("Residents' accounts")

    def ready(self) -> None:
        from wangge.events.offers import offer_register
        from wangge.events.signals import event_news

        from .senders import code_sender_for_production
        from .services import request_news
        from .views import resident_request_offer

        register(code_sender_for_production, Tags.security, deploy=True)
        offer_register(resident_request_offer)
        event_news.connect(request_news, dispatch_uid="residents.request_news")
