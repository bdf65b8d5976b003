from django.urls import path

from . import views

app_name = "readiness"

urlpatterns = [
    path("uebersicht/", views.overview, name="overview"),
    path("<uuid:public_id>/", views.profile, name="profile"),
    path("<uuid:public_id>/netzplan/", views.network_overview_download, name="network_overview"),
    path("<uuid:public_id>/netzplan/hochladen/", views.network_overview_upload, name="network_overview_upload"),
    path("<uuid:public_id>/netzplan/entfernen/", views.network_overview_remove, name="network_overview_remove"),
]
