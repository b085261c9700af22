from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EpidemicConfig(AppConfig):
    name = "wangge.epidemic"
    verbose_name = _("Cases and exposures")
