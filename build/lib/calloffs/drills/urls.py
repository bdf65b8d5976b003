"""Under /abrufe/uebungen/ (included by calloffs.urls, names in the calloffs namespace)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.drill_overview, name="drill_overview"),
    path("bericht.pdf", views.drill_overview_pdf, name="drill_overview_pdf"),
    path("starten/", views.drill_start, name="drill_start"),
    path("<uuid:public_id>/", views.drill_report_page, name="drill_report"),
    path("<uuid:public_id>/bericht.pdf", views.drill_report_pdf, name="drill_report_pdf"),
]
