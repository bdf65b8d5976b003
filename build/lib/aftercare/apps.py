from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AftercareConfig(AppConfig):
    name = "aftercare"
    verbose_name = _("Nachbereitung")

    def ready(self):
        from calloffs.documents import register_renderer
        from calloffs.home import register_section
        from calloffs.models import DocumentKind
        from calloffs.situation.panels import register_panel
        from incidents.extensions import register_link, register_major_link

        from .incident_report import render_incident_report
        from .remediation.home import measure_sections
        from .remediation.major import major_link as major_gates_link
        from .remediation.situation import measure_panels
        from .remediation.views import incident_link as measures_link
        from .report_document import render_final_report
        from .report_views import incident_links as report_links
        from .situation import situation_panels
        from .views import incident_link

        register_link(incident_link)  # the incident page links to its findings and indicators
        register_link(measures_link)  # … and to its measures and the reconnection gate
        register_major_link(major_gates_link)  # the major incident page links to its bodies' gates
        register_section(measure_sections)  # the home page: overdue measures, measures to verify
        register_panel(situation_panels)  # root causes and shared indicators in the situation picture
        register_panel(measure_panels)  # open critical and high measures per district
        # The final report is a call-off document rendered by calloffs' worker task with our renderer.
        register_renderer(DocumentKind.FINAL_REPORT, render_final_report)
        # … and the incident's final report (every engagement) is a document of the incident.
        register_renderer(DocumentKind.INCIDENT_REPORT, render_incident_report)
        register_link(report_links)  # the incident page links to the final report and the NIS-2 draft
