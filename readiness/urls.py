from django.urls import path

from . import views

app_name = "readiness"

urlpatterns = [
    path("uebersicht/", views.overview, name="overview"),
    path("<uuid:public_id>/", views.profile, name="profile"),
]
