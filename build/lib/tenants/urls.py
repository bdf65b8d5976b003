from django.urls import path

from . import views

app_name = "tenants"

urlpatterns = [
    path("", views.organisation_list, name="organisation_list"),
    path("<uuid:public_id>/", views.organisation_detail, name="organisation_detail"),
    path("<uuid:public_id>/einladen/", views.invitation_create_view, name="invitation_create"),
    path("<uuid:public_id>/mitglieder/<int:membership_id>/", views.membership_update_view, name="membership_update"),
    path("ministerium/einladen/", views.ministry_invitation_create_view, name="ministry_invitation_create"),
    path("einladung/<str:token>/", views.invitation_accept_view, name="invitation_accept"),
]
