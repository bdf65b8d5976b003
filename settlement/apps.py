from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SettlementConfig(AppConfig):
    name = "settlement"
    verbose_name = _("Abrechnung")

    def ready(self):
        from calloffs.selectors import register_settled_source

        from .selectors import settled

        register_settled_source(settled)  # approved statements count as consumed in the ceiling
