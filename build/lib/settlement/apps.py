from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SettlementConfig(AppConfig):
    name = "settlement"
    verbose_name = _("Abrechnung")

    def ready(self):
        from calloffs.documents.monthly_report import register_report_section
        from calloffs.selectors import register_ceiling_stages, register_settled_source

        from .reports import ceiling_stages, report_sections
        from .selectors import approved_of_calloff

        register_settled_source(approved_of_calloff)  # approved statements: consumed, no longer committed
        register_ceiling_stages(ceiling_stages)  # confirmed / approved / invoiced beside committed
        register_report_section(report_sections)  # the four stages per provider, module and body
