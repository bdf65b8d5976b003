from django.urls import path

from . import views

app_name = "onboarding"

urlpatterns = [
    path("", views.request_form, name="request"),
    path("eingegangen/", views.received, name="received"),
    path("antraege/", views.request_list, name="list"),
    path("antraege/<uuid:public_id>/", views.request_detail, name="detail"),
    path("antraege/<uuid:public_id>/nachweis/", views.proof_download, name="proof"),
]
