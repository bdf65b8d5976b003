from django.urls import path

from . import views, views_exports

app_name = "aftercare"

urlpatterns = [
    path("vorfall/<uuid:public_id>/", views.incident_page, name="incident"),
    path("abruf/<uuid:calloff_id>/befund/neu/", views.finding_new, name="finding_new"),
    path("befund/<uuid:public_id>/bearbeiten/", views.finding_edit, name="finding_edit"),
    path("abruf/<uuid:calloff_id>/indikator/neu/", views.indicator_new, name="indicator_new"),
    path("indikator/<uuid:public_id>/bearbeiten/", views.indicator_edit, name="indicator_edit"),
    path("indikator/<uuid:public_id>/tlp/", views.indicator_tlp, name="indicator_tlp"),
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
