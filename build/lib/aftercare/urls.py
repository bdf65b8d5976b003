from django.urls import path

from . import report_views, views, views_exports
from .evidence import views as evidence_views
from .remediation import major as measure_major
from .remediation import views as measure_views

app_name = "aftercare"

urlpatterns = [
    path("vorfall/<uuid:public_id>/", views.incident_page, name="incident"),
    path("abruf/<uuid:calloff_id>/befund/neu/", views.finding_new, name="finding_new"),
    path("befund/<uuid:public_id>/bearbeiten/", views.finding_edit, name="finding_edit"),
    path("abruf/<uuid:calloff_id>/indikator/neu/", views.indicator_new, name="indicator_new"),
    path("indikator/<uuid:public_id>/bearbeiten/", views.indicator_edit, name="indicator_edit"),
    path("indikator/<uuid:public_id>/tlp/", views.indicator_tlp, name="indicator_tlp"),
    path("befund/<uuid:public_id>/beweismittel/neu/", evidence_views.evidence_new, name="evidence_new"),
    path("beweismittel/<uuid:public_id>/", evidence_views.evidence_download, name="evidence_download"),
]

urlpatterns += [
    path("vorfall/<uuid:public_id>/indikatoren.<str:fmt>.json", views_exports.incident_export, name="incident_export"),
    path(
        "grossschadenslage/<uuid:public_id>/indikatoren.<str:fmt>.json",
        views_exports.major_export,
        name="major_export",
    ),
    path("indikatoren/", views_exports.matches, name="matches"),
    path("indikatoren/nrw.<str:fmt>.json", views_exports.nrw_export, name="nrw_export"),
]

urlpatterns += [
    path("vorfall/<uuid:public_id>/massnahmen/", measure_views.incident_measures, name="measures"),
    path("vorfall/<uuid:public_id>/wiederanschluss/", measure_views.gate_open, name="gate_open"),
    path("vorfall/<uuid:public_id>/wiederanschluss/sperren/", measure_views.gate_close, name="gate_close"),
    path("massnahme/<uuid:public_id>/", measure_views.measure_page, name="measure"),
    path("abruf/<uuid:calloff_id>/massnahme/neu/", measure_views.measure_new, name="measure_new"),
    path("vertrag/<uuid:public_id>/fristen/", measure_views.contract_terms, name="contract_terms"),
    path("grossschadenslage/<uuid:public_id>/wiederanschluss/", measure_major.major_gates, name="major_gates"),
    path("abruf/<uuid:calloff_id>/abschlussbericht/erstellen/", report_views.report_issue, name="report_issue"),
    path("abruf/<uuid:calloff_id>/abschlussbericht/erkenntnisse/", report_views.lessons_edit, name="lessons_edit"),
    path(
        "vorfall/<uuid:public_id>/abschlussbericht/erstellen/",
        report_views.incident_report_issue,
        name="incident_report_issue",
    ),
    path("vorfall/<uuid:public_id>/nis2-abschlussbericht/", report_views.nis2_draft, name="nis2_draft"),
    path(
        "vorfall/<uuid:public_id>/nis2-abschlussbericht.txt",
        report_views.nis2_draft_download,
        name="nis2_draft_download",
    ),
]
