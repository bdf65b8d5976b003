from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatusPagesConfig(AppConfig):
    name = "statuspages"
    verbose_name = _("Statusseiten für Bürgerinnen und Bürger")
