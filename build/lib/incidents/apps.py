from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Sicherheitsvorfälle")

    def ready(self):
        from digisos.metrics import register_state_source

        from .metrics import collect_state

        register_state_source(collect_state)
