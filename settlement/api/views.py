"""The statement API for providers: /api/v1/calloffs/{id}/statements/ (list, create from the time
entries) and /api/v1/statements/{id}/ (detail, answer to a dispute). Scoped to the provider of the
key: a call-off not assigned to it, or another provider's statement, is a 404."""

from __future__ import annotations

import uuid

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from calloffs.api.idempotency import idempotent
from calloffs.api.permissions import READ, WRITE
from calloffs.api.renderers import BinaryRenderer
from calloffs.api.views import IDEMPOTENCY_PARAMETER, ProviderApiMixin
from calloffs.models import CallOff

from .. import services
from ..models import Statement
from ..selectors import statements_visible_to
from . import serializers


class XmlRenderer(BinaryRenderer):
    """Lets a client ask for application/xml; problems are still written as JSON."""

    media_type = "application/xml"
    format = "xml"


def _uuid(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise NotFound() from exc


def _statements(user, provider_id):
    return (
        statements_visible_to(user)
        .filter(provider_id=provider_id)
        .prefetch_related("items__time_entry", "lines")
        .order_by("submitted_at", "id")
    )


@extend_schema_view(
    list=extend_schema(
        summary="Statements of services of this call-off",
        responses={200: serializers.StatementSerializer(many=True)},
    ),
    create=extend_schema(
        summary="Submit a statement of services from the time entries of a period",
        request=serializers.StatementCreateInputSerializer,
        responses={201: serializers.StatementSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        description=(
            "Bills this provider's time entries of the period not yet billed, priced from the contract's rates "
            "valid on each day, with the contract's surcharges. 409 for a drill call-off; 400 when nothing is left."
        ),
    ),
)
class CallOffStatementViewSet(ProviderApiMixin, viewsets.GenericViewSet):
    serializer_class = serializers.StatementSerializer
    pagination_class = None
    action_permissions = {"list": READ, "create": WRITE}

    @property
    def provider(self):
        return self.request.auth.provider

    def calloff(self) -> CallOff:
        """The call-off, if assigned to this provider; else 404 (also for one merely offered)."""
        calloff = (
            CallOff.objects.visible_to(self.request.user)
            .filter(public_id=_uuid(self.kwargs.get("id")), provider_id=self.provider.pk)
            .select_related("contract", "organisation")
            .first()
        )
        if calloff is None:
            raise NotFound()
        return calloff

    def get_queryset(self):
        return Statement.objects.none()

    def list(self, request, id=None):
        calloff = self.calloff()
        rows = _statements(request.user, self.provider.pk).filter(calloff=calloff)
        return Response(serializers.StatementSerializer(rows, many=True).data)

    @idempotent
    def create(self, request, id=None):
        calloff = self.calloff()
        data = serializers.StatementCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        data = data.validated_data
        statement = services.statement_submit(
            calloff=calloff,
            provider=self.provider,
            actor=request.user,
            period_start=data["period_start"],
            period_end=data["period_end"],
            night_hours=data["night_hours"],
            onsite=set(data["onsite"]),
        )
        fresh = _statements(request.user, self.provider.pk).get(pk=statement.pk)
        return Response(serializers.StatementSerializer(fresh).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    retrieve=extend_schema(summary="One statement of services, with its state, items and priced lines"),
    answer=extend_schema(
        summary="Answer the body's dispute: correct or keep each disputed entry",
        request=serializers.AnswerInputSerializer,
        responses={200: serializers.StatementSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        description="409 unless the statement is disputed; every disputed entry needs an answer with a note.",
    ),
)
class StatementViewSet(ProviderApiMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = serializers.StatementSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = "[^/]+"
    action_permissions = {"retrieve": READ, "answer": WRITE}

    @property
    def provider(self):
        return self.request.auth.provider

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Statement.objects.none()
        return _statements(self.request.user, self.provider.pk)

    def get_object(self):
        _uuid(self.kwargs.get(self.lookup_url_kwarg))
        return super().get_object()

    @action(detail=True, methods=["post"])
    @idempotent
    def answer(self, request, id=None):
        statement = self.get_object()
        data = serializers.AnswerInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answers = {key: dict(value) for key, value in data.validated_data["answers"].items()}
        statement = services.statement_answer(statement=statement, actor=request.user, answers=answers)
        return Response(self.get_serializer(self.get_queryset().get(pk=statement.pk)).data)
