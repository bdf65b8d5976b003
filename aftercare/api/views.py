"""Findings, indicators and measures in the provider API: ``/api/v1/calloffs/{id}/findings/``,
``…/indicators/`` and ``…/measures/`` (list, create, retrieve, update; a measure also ``…/verify/``). Only
the accepting provider of the call-off, while it is engaged, finds the call-off here; for any other key
every path is a 404 problem."""

from __future__ import annotations

import uuid

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from calloffs.api.idempotency import idempotent
from calloffs.api.pagination import Pagination
from calloffs.api.permissions import READ, WRITE
from calloffs.api.views import IDEMPOTENCY_PARAMETER, ProviderApiMixin

from .. import selectors, services
from ..errors import InvalidInput
from ..models import Finding, Indicator, Measure
from ..remediation import services as remediation
from . import serializers

ITEM_PARAMETER = OpenApiParameter("item_id", str, OpenApiParameter.PATH, description="The row's id (UUID).")


def _uuid(raw) -> uuid.UUID:
    try:
        return uuid.UUID(str(raw))
    except ValueError as exc:
        raise NotFound() from exc


class _CallOffRowsViewSet(ProviderApiMixin, viewsets.GenericViewSet):
    """Rows recorded under one call-off of the key's provider."""

    http_method_names = ["get", "post", "patch", "head"]
    pagination_class = Pagination
    filter_backends = []
    lookup_url_kwarg = "item_id"
    action_permissions = {"list": READ, "create": WRITE, "retrieve": READ, "partial_update": WRITE}
    model = None

    def calloff(self):
        if not hasattr(self, "_calloff"):
            try:
                self._calloff = selectors.engaged_calloff_for(self.request.user, _uuid(self.kwargs.get("id")))
            except Exception as exc:  # Http404
                raise NotFound() from exc
        return self._calloff

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        return self.model.objects.filter(calloff_id=self.calloff().pk).order_by("created_at", "id")

    def get_object(self):
        row = self.get_queryset().filter(public_id=_uuid(self.kwargs.get(self.lookup_url_kwarg))).first()
        if row is None:
            raise NotFound()
        return row

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self._out(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        return Response(self._out(self.get_object()).data)

    def get_serializer_class(self):
        return self.output

    def _out(self, instance, **kwargs):
        """The output serializer, told the call-off (its ``drill`` flag without a query per row)."""
        return self.output(instance, context={"calloff": self.calloff()}, **kwargs)

    @staticmethod
    def _valid(serializer_class, request) -> dict:
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


def _schema(name: str, output, create_input, update_input, create_description: str):
    return extend_schema_view(
        list=extend_schema(summary=f"The {name}s this provider recorded on the call-off", parameters=[]),
        create=extend_schema(
            summary=f"Record a {name}",
            request=create_input,
            responses={201: output},
            parameters=[IDEMPOTENCY_PARAMETER],
            description=create_description,
        ),
        retrieve=extend_schema(summary=f"One {name}", parameters=[ITEM_PARAMETER]),
        partial_update=extend_schema(
            summary=f"Change a {name}",
            request=update_input,
            responses={200: output},
            parameters=[ITEM_PARAMETER],
        ),
    )


@_schema(
    "finding",
    serializers.FindingSerializer,
    serializers.FindingInputSerializer,
    serializers.FindingUpdateSerializer,
    "Severity from the CVSS base vector (3.1 or 4.0) when one is given, else as chosen. "
    "`unpatched` needs a `cve_id`. `root_cause: true` also puts an entry on the incident's timeline.",
)
class FindingViewSet(_CallOffRowsViewSet):
    model = Finding
    output = serializers.FindingSerializer

    @idempotent
    def create(self, request, *args, **kwargs):
        calloff = self.calloff()
        data = self._valid(serializers.FindingInputSerializer, request)
        finding = services.finding_create(calloff=calloff, actor=request.user, **data)
        return Response(self._out(finding).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        finding = self.get_object()
        data = self._valid(serializers.FindingUpdateSerializer, request)
        finding = services.finding_update(finding=finding, actor=request.user, **data)
        return Response(self._out(finding).data)


@_schema(
    "indicator",
    serializers.IndicatorSerializer,
    serializers.IndicatorInputSerializer,
    serializers.IndicatorUpdateSerializer,
    "IP (v4/v6), domain, URL, MD5/SHA-1/SHA-256 or e-mail sender, checked and normalised; TLP 2.0 level "
    "(default AMBER). The same value twice on one call-off → 400. TLP:RED never leaves the incident's parties.",
)
class IndicatorViewSet(_CallOffRowsViewSet):
    model = Indicator
    output = serializers.IndicatorSerializer

    @idempotent
    def create(self, request, *args, **kwargs):
        calloff = self.calloff()
        data = self._valid(serializers.IndicatorInputSerializer, request)
        indicator = services.indicator_create(calloff=calloff, actor=request.user, **data)
        return Response(self._out(indicator).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        indicator = self.get_object()
        data = self._valid(serializers.IndicatorUpdateSerializer, request)
        indicator = services.indicator_update(indicator=indicator, actor=request.user, **data)
        return Response(self._out(indicator).data)


@extend_schema_view(
    list=extend_schema(summary="The measures of the call-off's findings", parameters=[]),
    create=extend_schema(
        summary="Record a further measure for a finding",
        request=serializers.MeasureInputSerializer,
        responses={201: serializers.MeasureSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        description="Every finding brings one measure when it is recorded; this adds another. The due date "
        "follows from the finding's severity under the contract (critical 7, high 30, medium 90, low 180 days "
        "by default). The body assigns the owner (a person at the body, or you as a billable service).",
    ),
    retrieve=extend_schema(summary="One measure", parameters=[ITEM_PARAMETER]),
    partial_update=extend_schema(
        summary="Change a measure's text or its mark `required_for_reconnection`",
        request=serializers.MeasureUpdateSerializer,
        responses={200: serializers.MeasureSerializer},
        parameters=[ITEM_PARAMETER],
    ),
)
class MeasureViewSet(_CallOffRowsViewSet):
    model = Measure
    output = serializers.MeasureSerializer
    action_permissions = {**_CallOffRowsViewSet.action_permissions, "verify": WRITE}

    def get_queryset(self):
        return super().get_queryset().select_related("finding")

    @idempotent
    def create(self, request, *args, **kwargs):
        calloff = self.calloff()
        data = self._valid(serializers.MeasureInputSerializer, request)
        finding = Finding.objects.filter(calloff_id=calloff.pk, public_id=data.pop("finding")).first()
        if finding is None:
            raise InvalidInput(_("Diesen Befund gibt es in diesem Abruf nicht."), field="finding")
        measure = remediation.measure_create(calloff=calloff, actor=request.user, finding=finding, **data)
        return Response(self._out(measure).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        measure = self.get_object()
        data = self._valid(serializers.MeasureUpdateSerializer, request)
        measure = remediation.measure_update(measure=measure, actor=request.user, **data)
        return Response(self._out(measure).data)

    @extend_schema(
        summary="Confirm a measure the body marked done, or send it back",
        request=serializers.MeasureVerifySerializer,
        responses={200: serializers.MeasureSerializer},
        parameters=[ITEM_PARAMETER, IDEMPOTENCY_PARAMETER],
        description="Only for a measure in state `done` (else 409 `transition_not_allowed`). `sent_back` puts "
        "it back to `in_progress` and tells the body your reason. A measure you carried out yourself "
        "(`owner_kind: provider`, a billable service) is checked by the body's admin, not by you: "
        "403 `self_verification_not_allowed`.",
    )
    @idempotent
    def verify(self, request, *args, **kwargs):
        measure = self.get_object()
        data = self._valid(serializers.MeasureVerifySerializer, request)
        if data["result"] == "verified":
            measure = remediation.measure_verify(measure=measure, actor=request.user, note=data["note"])
        else:
            measure = remediation.measure_send_back(measure=measure, actor=request.user, reason=data["note"])
        return Response(self._out(measure).data)
