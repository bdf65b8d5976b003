"""The aftercare paths of the provider API, mounted under /api/v1/ before the call-off API (whose
catch-all answers every other path with a 404 problem)."""

from django.urls import path

from ..evidence import api as evidence_api
from . import views

app_name = "aftercare_api"

LIST = {"get": "list", "post": "create"}
DETAIL = {"get": "retrieve", "patch": "partial_update"}

urlpatterns = [
    path("calloffs/<str:id>/findings/", views.FindingViewSet.as_view(LIST), name="finding-list"),
    path("calloffs/<str:id>/findings/<str:item_id>/", views.FindingViewSet.as_view(DETAIL), name="finding-detail"),
    path("calloffs/<str:id>/indicators/", views.IndicatorViewSet.as_view(LIST), name="indicator-list"),
    path(
        "calloffs/<str:id>/indicators/<str:item_id>/", views.IndicatorViewSet.as_view(DETAIL), name="indicator-detail"
    ),
    path("calloffs/<str:id>/measures/", views.MeasureViewSet.as_view(LIST), name="measure-list"),
    path("calloffs/<str:id>/measures/<str:item_id>/", views.MeasureViewSet.as_view(DETAIL), name="measure-detail"),
    path(
        "calloffs/<str:id>/measures/<str:item_id>/verify/",
        views.MeasureViewSet.as_view({"post": "verify"}),
        name="measure-verify",
    ),
    path("calloffs/<str:id>/findings/<str:item_id>/evidence/", evidence_api.LIST_VIEW, name="evidence-list"),
    path(
        "calloffs/<str:id>/findings/<str:item_id>/evidence/<str:evidence_id>/file/",
        evidence_api.FILE_VIEW,
        name="evidence-file",
    ),
]
