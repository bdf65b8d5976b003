"""/api/v1/: the provider API, its OpenAPI schema and its docs (Swagger UI from local assets)."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.routers import SimpleRouter

from . import views
from .renderers import PdfRenderer
from .webhook_endpoints import WebhookEndpointViewSet

app_name = "api_v1"

router = SimpleRouter()
router.register("calloffs", views.CallOffViewSet, basename="calloff")
router.register("webhooks", WebhookEndpointViewSet, basename="webhook")

urlpatterns = [
    path(
        "schema/", SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[AllowAny]), name="schema"
    ),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api_v1:schema", authentication_classes=[], permission_classes=[AllowAny]
        ),
        name="docs",
    ),
    path(
        "calloffs/<str:id>/order.pdf",
        views.CallOffViewSet.as_view({"get": "order_pdf"}, renderer_classes=[PdfRenderer, JSONRenderer]),
        name="calloff-order-pdf",
    ),
    path(
        "calloffs/<str:id>/documents/<str:document_id>.pdf",
        views.CallOffViewSet.as_view({"get": "document_pdf"}, renderer_classes=[PdfRenderer, JSONRenderer]),
        name="calloff-document-pdf",
    ),
    *router.urls,
    re_path(r"^.*$", views.not_found),
]
