"""The provider's own webhook endpoints in the provider API (/api/v1/webhooks/)."""

from __future__ import annotations

import uuid

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from . import serializers
from .idempotency import idempotent
from .permissions import READ, WRITE
from .views import IDEMPOTENCY_PARAMETER, CallOffViewSet, ProviderApiMixin


@extend_schema_view(
    list=extend_schema(summary="This provider's webhook endpoints"),
    retrieve=extend_schema(summary="One webhook endpoint"),
    create=extend_schema(
        summary="Register a webhook endpoint",
        request=serializers.WebhookEndpointSerializer,
        responses={201: serializers.WebhookEndpointWithSecretSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        description="The signing secret is in this response only.",
    ),
    partial_update=extend_schema(
        summary="Change URL, description or active",
        request=serializers.WebhookEndpointUpdateSerializer,
        responses={200: serializers.WebhookEndpointSerializer},
    ),
    rotate_secret=extend_schema(
        summary="Rotate the signing secret",
        request=None,
        responses={200: serializers.WebhookEndpointWithSecretSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        description="The previous secret stays valid for the overlap; messages carry both signatures meanwhile.",
    ),
)
class WebhookEndpointViewSet(
    ProviderApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The provider's own webhook endpoints (services in calloffs.services.webhooks)."""

    serializer_class = serializers.WebhookEndpointSerializer
    pagination_class = None
    filter_backends = []
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = "[^/]+"
    http_method_names = ["get", "post", "patch", "head"]
    action_permissions = {
        "list": READ,
        "retrieve": READ,
        "create": WRITE,
        "partial_update": WRITE,
        "rotate_secret": WRITE,
    }

    def get_queryset(self):
        from notifications.models import WebhookEndpoint

        if getattr(self, "swagger_fake_view", False):
            return WebhookEndpoint.objects.none()
        return WebhookEndpoint.objects.filter(provider__id=self.request.auth.provider_id).order_by("created_at", "id")

    def get_object(self):
        try:
            uuid.UUID(str(self.kwargs.get(self.lookup_url_kwarg)))
        except ValueError as exc:
            raise NotFound() from exc
        return super().get_object()

    @idempotent
    def create(self, request, *args, **kwargs):
        from ..services.webhooks import webhook_endpoint_create

        data = CallOffViewSet._valid(serializers.WebhookEndpointSerializer, request)
        endpoint = webhook_endpoint_create(
            provider=request.auth.provider, actor=request.user, url=data["url"], description=data["description"]
        )
        return Response(serializers.WebhookEndpointWithSecretSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        from ..services.webhooks import webhook_endpoint_update

        endpoint = self.get_object()
        data = CallOffViewSet._valid(serializers.WebhookEndpointUpdateSerializer, request)
        endpoint = webhook_endpoint_update(endpoint=endpoint, actor=request.user, **data)
        return Response(serializers.WebhookEndpointSerializer(endpoint).data)

    @action(detail=True, methods=["post"], url_path="rotate-secret")
    @idempotent
    def rotate_secret(self, request, id=None):
        from ..services.webhooks import webhook_endpoint_rotate_secret

        endpoint = webhook_endpoint_rotate_secret(endpoint=self.get_object(), actor=request.user)
        return Response(serializers.WebhookEndpointWithSecretSerializer(endpoint).data)
