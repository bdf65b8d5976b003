from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalloffsConfig(AppConfig):
    name = "calloffs"
    verbose_name = _("Rahmenvertrag und Abrufe")
