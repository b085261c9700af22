from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PopulationsConfig(AppConfig):
    name = "wangge.populations"
    verbose_name = _("Populations")
