"""Evidence in the provider API: ``/api/v1/calloffs/{id}/findings/{item_id}/evidence/`` (list, upload
as multipart/form-data) and ``…/evidence/{evidence_id}/file/`` (the file, its SHA-256 checked again
and sent in ``X-Content-SHA256``). Only the accepting provider of the call-off finds anything here;
any other key gets a 404 problem for every path."""

from __future__ import annotations

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from calloffs.api.idempotency import idempotent
from calloffs.api.permissions import READ, WRITE
from calloffs.api.renderers import FileRenderer
from calloffs.api.serializers import DrillFlagField
from calloffs.api.views import IDEMPOTENCY_PARAMETER, ProviderApiMixin
from digisos.uploads import ALL_TYPES
from digisos.wire import WireModelSerializer

from .. import selectors
from ..api.views import ITEM_PARAMETER, _uuid
from ..models import Finding
from . import services
from .models import FindingEvidence

EVIDENCE_PARAMETER = OpenApiParameter(
    "evidence_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The evidence's id (UUID)."
)


class EvidenceSerializer(WireModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    filename = serializers.CharField(source="original_name", read_only=True)
    drill = DrillFlagField()

    class Meta:
        model = FindingEvidence
        fields = ["id", "drill", "filename", "content_type", "size", "sha256", "description", "created_at"]
        read_only_fields = fields


class EvidenceInputSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=False, use_url=False)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


@extend_schema_view(
    list=extend_schema(
        summary="The evidence attached to a finding",
        parameters=[ITEM_PARAMETER],
        responses={200: EvidenceSerializer(many=True)},
    ),
    create=extend_schema(
        summary="Attach evidence to a finding",
        request={"multipart/form-data": EvidenceInputSerializer},
        responses={201: EvidenceSerializer},
        parameters=[ITEM_PARAMETER, IDEMPOTENCY_PARAMETER],
        description=(
            "PDF, PNG, JPEG, ZIP or UTF-8 text, detected from the content (415 otherwise); 413 above the size "
            "limit. The SHA-256 is computed and returned. Evidence is shared with the body only (not the ministry)."
        ),
    ),
)
class EvidenceViewSet(ProviderApiMixin, viewsets.GenericViewSet):
    http_method_names = ["get", "post", "head"]
    filter_backends = []
    pagination_class = None
    serializer_class = EvidenceSerializer
    action_permissions = {"list": READ, "create": WRITE, "file": READ}

    def finding(self) -> Finding:
        if not hasattr(self, "_finding"):
            try:
                calloff = selectors.engaged_calloff_for(self.request.user, _uuid(self.kwargs.get("id")))
            except NotFound:
                raise
            except Exception as exc:  # Http404
                raise NotFound() from exc
            finding = (
                Finding.objects.filter(calloff_id=calloff.pk, public_id=_uuid(self.kwargs.get("item_id")))
                .select_related("calloff", "incident")
                .first()
            )
            if finding is None:
                raise NotFound()
            self._finding = finding
        return self._finding

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return FindingEvidence.objects.none()
        finding = self.finding()
        rows = FindingEvidence.objects.visible_to(self.request.user).filter(finding=finding)
        return rows.order_by("created_at", "id")

    def list(self, request, *args, **kwargs):
        context = {"calloff": self.finding().calloff}  # its drill flag, without a query per row
        return Response(EvidenceSerializer(self.get_queryset(), many=True, context=context).data)

    @idempotent
    def create(self, request, *args, **kwargs):
        finding = self.finding()
        serializer = EvidenceInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        evidence = services.evidence_add(
            finding=finding,
            actor=request.user,
            upload=serializer.validated_data["file"],
            description=serializer.validated_data["description"],
        )
        data = EvidenceSerializer(evidence, context={"calloff": finding.calloff}).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Download one piece of evidence",
        parameters=[ITEM_PARAMETER, EVIDENCE_PARAMETER],
        responses={
            **{(200, media): OpenApiResponse(OpenApiTypes.BINARY, description="The file.") for media in ALL_TYPES},
            (409, "application/problem+json"): OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="The stored file no longer matches its SHA-256 (`evidence_altered`); nothing is sent.",
            ),
        },
        description=(
            "The SHA-256 is computed again before sending and must equal the one recorded at upload (header "
            "`X-Content-SHA256`); otherwise 409 `evidence_altered` and nothing is sent."
        ),
    )
    def file(self, request, *args, **kwargs):
        evidence = self.get_queryset().filter(public_id=_uuid(self.kwargs.get("evidence_id"))).first()
        if evidence is None:
            raise NotFound()
        handle = services.evidence_open(evidence=evidence, actor=request.user, via="api")
        response = FileResponse(
            handle, as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type
        )
        response["X-Content-SHA256"] = evidence.sha256
        response["Cache-Control"] = "private, no-store"
        return response


LIST_VIEW = EvidenceViewSet.as_view({"get": "list", "post": "create"}, parser_classes=[MultiPartParser])
FILE_VIEW = EvidenceViewSet.as_view({"get": "file"}, renderer_classes=[FileRenderer, JSONRenderer])
