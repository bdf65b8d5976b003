"""Views of the provider API (/api/v1/).

One declarative viewset: ``get_queryset`` starts from what the key's provider may see
(``CallOff.objects.visible_to`` of its technical account), so any other id is a 404. Each
lifecycle step is an ``@action`` that validates with an input serializer, calls the service,
and answers with an output serializer; views never change state themselves (STYLE §2, §5).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import FilteredRelation, Prefetch, Q, prefetch_related_objects
from django.http import FileResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed, NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from digisos.compiled_query import CompiledPages, CompiledQuery
from tenants.selectors import roles_of

from .. import services
from ..contract_terms import terms
from ..errors import InvalidInput
from ..filters import CallOffFilterSet, UtcIsoDateTimeField
from ..models import (
    CallOff,
    CallOffDocument,
    CallOffEvent,
    CallOffService,
    Offer,
    OfferState,
    RoleRate,
    ServiceModule,
    TimeEntry,
)
from ..permissions import provider_ids_of
from ..services.attachments import attachment_add
from ..services.common import calloff_for_lock
from . import problems, serializers
from .answers import calloff_detail_data
from .authentication import ProviderApiKeyAuthentication
from .idempotency import idempotent
from .pagination import CountSparingPaginator, Pagination
from .parsers import StrictJSONParser
from .permissions import READ, WRITE, ProviderApiPermission
from .problems import RequestTooLarge
from .renderers import FileRenderer
from .throttling import ApiKeyRateThrottle

#: Multipart overhead allowed on top of the file itself (boundaries, the ``kind`` field).
MULTIPART_OVERHEAD = 64 * 1024

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "Optional, 1–255 printable ASCII characters, unique per request. A retry with the same key and body "
        "gets the stored response (header Idempotent-Replayed: true); the same key with another body → 422; "
        "while the first request still runs → 409. Kept 7 days."
    ),
)


def _prime(instance, name: str, rows, *, to_attr: str = "") -> None:
    """Give ``instance`` the related rows ``name`` that are known without a query, as
    prefetch_related would (prefetch_related_objects then leaves them alone)."""
    if to_attr:
        setattr(instance, to_attr, list(rows))
        return
    queryset = getattr(instance, name).all()
    queryset._result_cache = list(rows)
    queryset._prefetch_done = True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = queryset


#: The accept's answer reads the call-off's services, events (those this provider may see) and
#: documents: the statements detail_prefetches would run, compiled once per connection (issue 19:
#: building and compiling the three prefetch querysets was ~13 % of the accept's CPU).
_SAMPLE_ID = -719_000_019
_ACCEPT_SERVICES = CompiledQuery(
    lambda calloff: CallOffService.objects.filter(calloff_id=calloff).select_related("service_module"),
    many=True,
    calloff=_SAMPLE_ID,
)
_ACCEPT_EVENTS = CompiledQuery(
    lambda calloff, provider: (
        CallOffEvent.objects.filter(calloff_id=calloff)
        .filter(Q(provider__isnull=True) | Q(provider_id=provider))
        .order_by("at", "id")
    ),
    many=True,
    calloff=_SAMPLE_ID,
    provider=_SAMPLE_ID - 1,
)
_ACCEPT_DOCUMENTS = CompiledQuery(
    lambda calloff: CallOffDocument.objects.filter(calloff_id=calloff), many=True, calloff=_SAMPLE_ID
)


#: The accept's scoped lock of the call-off (lock_calloff's statement for the lookup of
#: _scoped_lookup), compiled once per connection and per key (issue 19: building the scoped queryset
#: and compiling it was ~15 % of the accept's CPU). The key holds all the statement depends on, as
#: LIST_PAGES' key: the account and its scope (visible_to); the call-off's id is its one value.
_SCOPED_LOCKS: dict[tuple, CompiledQuery] = {}
_SCOPED_LOCKS_SIZE = 256
_SAMPLE_PUBLIC_ID = uuid.UUID("00000000-0000-4000-8000-000000719019")


def _public_id_param(public_id: uuid.UUID):
    """The call-off's public id as the database adapter gets it (a UUID or, on SQLite, its hex)."""
    return CallOff._meta.get_field("public_id").get_db_prep_value(public_id, connection)


def _prime_compiled(calloff: CallOff, name: str, rows: list) -> None:
    """As prefetch_related: the rows under ``name``, each with its call-off cached."""
    field = getattr(CallOff, name).field  # the rows' ForeignKey to the call-off
    for row in rows:
        field.set_cached_value(row, calloff)
    _prime(calloff, name, rows)


class ProviderApiMixin:
    """Authentication by API key, per-action permissions, per-key rate limit, body size limit,
    JSON only, and problem+json errors."""

    authentication_classes = [ProviderApiKeyAuthentication]
    permission_classes = [ProviderApiPermission]
    throttle_classes = [ApiKeyRateThrottle]
    renderer_classes = [JSONRenderer]
    parser_classes = [StrictJSONParser]
    #: No OPTIONS (nothing to negotiate, no CORS); DELETE, PUT, TRACE … are not offered either.
    http_method_names = ["get", "post", "head"]

    def get_exception_handler(self):
        return problems.exception_handler

    def initial(self, request, *args, **kwargs):
        # A method this route does not offer is a 405 with Allow, before anything else is asked
        # (the action permissions would otherwise find no declaration for it).
        if request.method.upper() not in self.allowed_methods:
            raise MethodNotAllowed(
                request.method,
                detail=_("Die Methode {method} wird hier nicht angeboten (erlaubt: {allowed}).").format(
                    method=request.method, allowed=", ".join(self.allowed_methods)
                ),
            )
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        multipart = (request.content_type or "").startswith("multipart/")
        limit = (
            settings.API_MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        )
        if length > limit:
            raise RequestTooLarge(_("Die Anfrage ist zu groß (höchstens {limit} Bytes).").format(limit=limit))
        super().initial(request, *args, **kwargs)


FILTER_PARAMS = frozenset(CallOffFilterSet.base_filters)

#: The SQL of the provider's poll (the list's first page), per connection and per who asks with which
#: filters: building and compiling the scoped queryset cost more CPU than the rest of the poll (issue 19).
LIST_PAGES = CompiledPages()


def _not_available(request, detail: str):
    """404 ``not_available``: the call-off is the provider's, the thing asked for does not exist (yet)."""
    return problems.problem_response(status_code=404, code="not_available", detail=detail, request=request)


@extend_schema_view(
    list=extend_schema(
        summary="Call-offs offered to or assigned to this provider",
        description=(
            "Those offered to this provider now (with `offer.respond_by`) and those assigned to it, ordered by "
            "`updated_at` (then id). For incremental sync pass the largest `updated_at` seen as `updated_since`."
        ),
    ),
    retrieve=extend_schema(summary="One call-off", description="The body's call-back contact only once accepted."),
    accept=extend_schema(
        summary="Accept the offer",
        request=serializers.AcceptInputSerializer,
        responses={200: serializers.CallOffDetailSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        description="409 `offer_not_open` when the offer is no longer open to this provider.",
    ),
    decline=extend_schema(
        summary="Decline the offer",
        request=serializers.DeclineInputSerializer,
        responses={200: serializers.DeclineResultSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    ),
    updates=extend_schema(
        summary="Report progress: a milestone (stops its SLA clock) or a note",
        request=serializers.UpdateInputSerializer,
        responses={201: serializers.EventCreatedSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    ),
    time_entries=[
        extend_schema(
            methods=["GET"],
            summary="Proof of work recorded by this provider",
            responses={200: serializers.TimeEntrySerializer(many=True)},
        ),
        extend_schema(
            methods=["POST"],
            summary="Record hours (proof of work)",
            request=serializers.TimeEntryInputSerializer,
            responses={201: serializers.TimeEntrySerializer},
            parameters=[IDEMPOTENCY_PARAMETER],
            description="Hours above 0 and at most 24; the date neither in the future nor before the call-off.",
        ),
    ],
    attachments=extend_schema(
        summary="Upload a report or evidence",
        request={"multipart/form-data": serializers.AttachmentInputSerializer},
        responses={201: serializers.AttachmentSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        description="PDF, PNG, JPEG, ZIP or UTF-8 text, detected from the content. 413 above the size limit.",
    ),
    complete=extend_schema(
        summary="Report the services as rendered",
        request=serializers.CompleteInputSerializer,
        responses={200: serializers.CallOffDetailSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    ),
)
class CallOffViewSet(ProviderApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = serializers.CallOffDetailSerializer
    filterset_class = CallOffFilterSet
    pagination_class = Pagination
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = "[^/]+"
    action_permissions = {
        "list": READ,
        "retrieve": READ,
        "accept": WRITE,
        "decline": WRITE,
        "updates": WRITE,
        "time_entries": {"GET": READ, "POST": WRITE},
        "attachments": WRITE,
        "complete": WRITE,
        "order_pdf": READ,
        "document_pdf": READ,
        "readiness_profile": READ,
        "readiness_network_overview": READ,
    }

    # --- Reads ----------------------------------------------------------------------------

    @property
    def provider(self):
        return self.request.auth.provider

    def get_queryset(self):
        qs = CallOff.objects.visible_to(self.request.user)
        if getattr(self, "swagger_fake_view", False):
            return qs.none()
        if self.action == "list":
            # One row per call-off: a call-off has at most one open offer (offer_one_open_per_calloff),
            # so the filtered join cannot multiply rows. Plain values, no model instances: the list
            # is the hot path of every provider's sync loop (bench/api_throughput.py).
            return (
                qs.annotate(
                    my_offer=FilteredRelation(
                        "offers", condition=Q(offers__provider_id=self.provider.pk, offers__state=OfferState.OPEN)
                    )
                )
                .values(*serializers.LIST_VALUES)
                .order_by("updated_at", "id")
            )
        if self.action == "retrieve" or self.request.method == "GET":
            return self.detail_queryset(qs)
        return qs.select_related("organisation", "contract")

    def detail_prefetches(self) -> list:
        events = CallOffEvent.objects.filter(Q(provider__isnull=True) | Q(provider_id=self.provider.pk))
        return [
            Prefetch(
                "offers",
                queryset=Offer.objects.filter(provider_id=self.provider.pk, state=OfferState.OPEN),
                to_attr="open_offers_for_provider",
            ),
            Prefetch("services", queryset=CallOffService.objects.select_related("service_module")),
            Prefetch("events", queryset=events.order_by("at", "id")),
            "documents",
            "contract__role_rates",
            "contract__service_modules",
        ]

    def detail_queryset(self, qs):
        return qs.select_related("organisation", "contract").prefetch_related(*self.detail_prefetches())

    def list(self, request, *args, **kwargs):
        page = self._compiled_first_page(request)
        if page is None:
            page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(serializers.calloff_list_rows(page, provider_id=self.provider.pk))

    def _compiled_first_page(self, request) -> list[dict] | None:
        """The first page of the list through its SQL compiled before for the same key, or None
        (then the queryset is built as always). The key holds all the statement depends on: the
        account and its scope (visible_to), the provider (its open offer), the raw filter values
        (validated by the filterset when the key was compiled) and the page size; ``updated_since``
        is the one value that changes between polls, parsed here as the filter parses it (anything
        it refuses goes the ordinary way, to its 400)."""
        params = request.query_params
        if (params.get(self.paginator.page_query_param) or "1") != "1":
            return None
        page_size = self.paginator.get_page_size(request)
        user = request.user
        since = None
        if "updated_since" in params:
            try:
                since = UtcIsoDateTimeField(required=False).clean(params.get("updated_since"))
            except ValidationError:
                return None
            if since is None:
                return None
            since = CallOff._meta.get_field("updated_at").get_db_prep_value(since, connection)
        key = (
            self.provider.pk,
            user.pk,
            user.is_active,
            user.is_ministry_staff,
            tuple(roles_of(user)),
            tuple(provider_ids_of(user)),
            tuple(params.getlist("state")),
            tuple(params.getlist("priority")),
            since is not None,
            page_size,
        )
        compiled = LIST_PAGES.get(key)
        queryset = None
        if compiled is None:
            queryset = self.filter_queryset(self.get_queryset())  # a refused filter raises here, as always
            compiled = LIST_PAGES.compile(key, queryset[:page_size], slot_value=since)
            if compiled is None:
                return None
        rows = LIST_PAGES.rows(compiled, slot_value=since)
        paginator = CountSparingPaginator(rows, page_size)
        if len(rows) < page_size:
            paginator.__dict__["count"] = len(rows)  # Paginator.count is a cached_property
        else:  # a full first page: the total is counted, as CountSparingPaginator does
            if queryset is None:
                queryset = self.filter_queryset(self.get_queryset())
            paginator.__dict__["count"] = queryset.count()
        pagination = self.paginator
        pagination.request = request
        pagination.page = paginator._get_page(rows, paginator.validate_number(1), paginator)
        return rows

    def get_serializer_class(self):
        if self.action == "list":
            return serializers.CallOffListSerializer
        return serializers.CallOffDetailSerializer

    def get_object(self):
        try:
            uuid.UUID(str(self.kwargs.get(self.lookup_url_kwarg)))
        except ValueError as exc:
            raise NotFound() from exc
        return super().get_object()

    def _scoped_lookup(self):
        """The call-off of the URL within what this provider may see, not read yet (a queryset of at
        most one row, for a service to lock); NotFound for an id that is no UUID."""
        try:
            public_id = uuid.UUID(str(self.kwargs.get(self.lookup_url_kwarg)))
        except ValueError as exc:
            raise NotFound() from exc
        return CallOff.objects.visible_to(self.request.user).filter(public_id=public_id)

    def _compiled_scoped_lock(self):
        """A function that locks the call-off of the URL within what this account may see (what
        lock_calloff does with _scoped_lookup) through SQL compiled before for the same key, for the
        service to call inside its transaction; or the lookup itself where nothing is compiled (an
        account that sees all or nothing). NotFound for an id that is no UUID."""
        user = self.request.user
        if not user.is_active or user.is_ministry_staff:
            return self._scoped_lookup()
        try:
            public_id = uuid.UUID(str(self.kwargs.get(self.lookup_url_kwarg)))
        except ValueError as exc:
            raise NotFound() from exc
        key = (user.pk, user.is_active, user.is_ministry_staff, tuple(roles_of(user)), tuple(provider_ids_of(user)))
        compiled = _SCOPED_LOCKS.get(key)
        if compiled is None:
            scope = CallOff.objects.visible_to(user)
            if len(_SCOPED_LOCKS) >= _SCOPED_LOCKS_SIZE:
                _SCOPED_LOCKS.clear()
            compiled = _SCOPED_LOCKS[key] = CompiledQuery(
                lambda public_id: calloff_for_lock(scope.filter(public_id=public_id)),
                public_id=_public_id_param(_SAMPLE_PUBLIC_ID),
            )
        value = _public_id_param(public_id)

        def lock() -> CallOff:
            calloff = compiled.first(public_id=value)
            if calloff is None:
                raise CallOff.DoesNotExist()
            return calloff

        return lock

    def _detail(self, calloff: CallOff, *, status_code: int = status.HTTP_200_OK) -> Response:
        """The call-off as it is now, through the same scoped lookup (a fresh read)."""
        fresh = self.detail_queryset(CallOff.objects.visible_to(self.request.user)).filter(pk=calloff.pk).first()
        if fresh is None:
            raise NotFound()
        return Response(self.get_serializer(fresh).data, status=status_code)

    def filter_queryset(self, queryset):
        # The filters (state, updated_since …) apply to the list only, not to lookups by id.
        if self.action != "list" or not self.request.query_params.keys() & FILTER_PARAMS:
            return queryset
        return super().filter_queryset(queryset)

    # --- Offer ----------------------------------------------------------------------------

    @action(detail=True, methods=["post"])
    @idempotent
    def accept(self, request, id=None):
        # The lookup is not read here: the service locks the call-off through it, with the scope of
        # get_queryset (one statement instead of a read and a locked read).
        lookup = self._compiled_scoped_lock()
        try:
            data = self._valid(serializers.AcceptInputSerializer, request)
            calloff = services.offer_accept(
                calloff=lookup,
                provider=self.provider,
                actor=request.user,
                lead_name=data["lead_name"],
                lead_phone=data["lead_phone"],
                eta_remote=data.get("eta_remote"),
                eta_onsite=data.get("eta_onsite"),
                note=data.get("note", ""),
            )
        except CallOff.DoesNotExist:
            raise NotFound() from None
        except Exception:
            self.get_object()  # an outsider gets 404 before any other answer (bad input, offer not open)
            raise
        # The service returns the call-off row it locked and wrote (its body and contract joined),
        # now this provider's: only its related rows are read, not the row again. Not read at all:
        # this provider's open offers (it has just accepted the only one) and, from the kept terms,
        # the contract's roles and modules, nor its documents: the accept wrote its only one, the order
        # (services.documents.document_first_order, which primes it).
        _prime(calloff, "offers", [], to_attr="open_offers_for_provider")
        kept = terms().of(calloff.contract_id)
        if kept is not None:
            _prime(calloff.contract, "role_rates", kept.role_rates)
            _prime(calloff.contract, "service_modules", sorted(kept.modules, key=lambda m: (m.position, m.code)))
        _prime_compiled(calloff, "services", _ACCEPT_SERVICES.all(calloff=calloff.pk))
        _prime_compiled(calloff, "events", _ACCEPT_EVENTS.all(calloff=calloff.pk, provider=self.provider.pk))
        if "documents" not in getattr(calloff, "_prefetched_objects_cache", {}):  # the service knows them (its order)
            _prime_compiled(calloff, "documents", _ACCEPT_DOCUMENTS.all(calloff=calloff.pk))
        # What is left (nothing, as a rule: then not even the Prefetch querysets are built).
        primed = calloff.__dict__.get("_prefetched_objects_cache", {}).keys()
        contract_primed = calloff.contract.__dict__.get("_prefetched_objects_cache", {}).keys()
        if not ({"services", "events", "documents"} <= primed and {"role_rates", "service_modules"} <= contract_primed):
            prefetch_related_objects([calloff], *self.detail_prefetches())
        # CallOffDetailSerializer's answer (the schema's) as plain dicts (answers.py; compared in tests/api).
        return Response(calloff_detail_data(calloff, provider_id=self.provider.pk), status=status.HTTP_200_OK)

    @action(detail=True, methods=["post"])
    @idempotent
    def decline(self, request, id=None):
        calloff = self.get_object()
        data = self._valid(serializers.DeclineInputSerializer, request)
        calloff = services.offer_decline(
            calloff=calloff, provider=self.provider, actor=request.user, reason=data["reason"]
        )
        return Response(
            serializers.DeclineResultSerializer(
                {"id": calloff.public_id, "number": calloff.number, "drill": calloff.is_drill}
            ).data,
            status=status.HTTP_200_OK,
        )

    # --- Work -----------------------------------------------------------------------------

    @action(detail=True, methods=["post"])
    @idempotent
    def updates(self, request, id=None):
        from ..services.milestones import calloff_record_milestone

        calloff = self.get_object()
        data = self._valid(serializers.UpdateInputSerializer, request)
        event = calloff_record_milestone(
            calloff=calloff,
            provider=self.provider,
            actor=request.user,
            kind=data["kind"],
            at=data.get("at"),
            text=data.get("text", ""),
        )
        data = serializers.EventCreatedSerializer(event, context={"calloff": calloff}).data
        return Response(data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["get", "post"], url_path="time-entries", pagination_class=None)
    @idempotent
    def time_entries(self, request, id=None):
        calloff = self.get_object()
        if request.method == "GET":
            entries = (
                TimeEntry.objects.filter(calloff=calloff, provider_id=self.provider.pk)
                .select_related("role", "service_module")
                .order_by("date", "id")
            )
            return Response(serializers.TimeEntrySerializer(entries, many=True, context={"calloff": calloff}).data)
        data = self._valid(serializers.TimeEntryInputSerializer, request)
        role = RoleRate.objects.filter(contract_id=calloff.contract_id, name=data["role"]).first()
        if role is None:
            raise InvalidInput(_("Diese Rolle gibt es im Rahmenvertrag des Abrufs nicht."), field="role")
        module = None
        if data.get("service_module"):
            module = ServiceModule.objects.filter(contract_id=calloff.contract_id, code=data["service_module"]).first()
            if module is None:
                raise InvalidInput(
                    _("Dieses Leistungsmodul gibt es im Rahmenvertrag des Abrufs nicht."), field="service_module"
                )
        entry = services.time_entry_add(
            calloff=calloff,
            provider=self.provider,
            actor=request.user,
            date=data["date"],
            hours=data["hours"],
            role=role,
            service_module=module,
            description=data["description"],
            person=data.get("person", ""),
        )
        data = serializers.TimeEntrySerializer(entry, context={"calloff": calloff}).data
        return Response(data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    @idempotent
    def attachments(self, request, id=None):
        calloff = self.get_object()
        data = self._valid(serializers.AttachmentInputSerializer, request)
        attachment = attachment_add(
            calloff=calloff, provider=self.provider, actor=request.user, kind=data["kind"], upload=data["file"]
        )
        data = serializers.AttachmentSerializer(attachment, context={"calloff": calloff}).data
        return Response(data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    @idempotent
    def complete(self, request, id=None):
        calloff = self.get_object()
        data = self._valid(serializers.CompleteInputSerializer, request)
        calloff = services.calloff_complete(
            calloff=calloff, provider=self.provider, actor=request.user, summary=data["summary"]
        )
        return self._detail(calloff)

    @extend_schema(
        summary="The call-off order (PDF)",
        operation_id="calloffs_order_pdf",
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The order.")},
        description="Only for the assigned provider; 404 `not_available` until the order has been issued.",
    )
    def order_pdf(self, request, id=None):
        """Mapped by hand in urls.py: the path has no trailing slash (``…/order.pdf``)."""
        calloff = self.get_object()
        document = None
        if calloff.provider_id == self.provider.pk:
            from ..selectors_documents import latest_order

            document = latest_order(calloff)
        if document is None:
            return _not_available(request, _("Der Abrufauftrag liegt (noch) nicht vor."))
        return self._pdf(request, document)

    @extend_schema(
        summary="One version of a call-off document (PDF)",
        operation_id="calloffs_document_pdf",
        parameters=[OpenApiParameter("document_id", OpenApiTypes.UUID, OpenApiParameter.PATH)],
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The document.")},
        description=(
            "The `url` of a document in the call-off's `documents` and in the webhook `document.issued`. Only for "
            "the assigned provider; 404 `not_available` while the document is pending or failed."
        ),
    )
    def document_pdf(self, request, id=None, document_id=None):
        """Mapped by hand in urls.py (``…/documents/{document_id}.pdf``)."""
        from ..selectors_documents import issued_document

        calloff = self.get_object()
        document = None
        if calloff.provider_id == self.provider.pk:
            document = issued_document(calloff, public_id=document_id)
        if document is None:
            return _not_available(request, _("Dieses Dokument liegt (noch) nicht vor."))
        return self._pdf(request, document)

    def _pdf(self, request, document):
        from ..views.documents import audit_download

        file = document.file.open("rb")
        audit_download(user=request.user, document=document, via="api")
        response = FileResponse(file, content_type="application/pdf", as_attachment=True, filename=document.filename())
        response["X-Content-SHA256"] = document.sha256
        return response

    # --- The body's readiness profile (need to know) --------------------------------------

    @extend_schema(
        summary="The body's readiness profile",
        responses={200: serializers.ReadinessProfileSerializer},
        description=(
            "Only for the provider that accepted the call-off, from the acceptance while it works on it (accepted, "
            "in_progress, completed) and for 14 days after the body closed it; otherwise 404 `not_found`. "
            "404 `not_available` when the body has no readiness profile. `version_at_acceptance` is the version "
            "the order PDF names."
        ),
    )
    @action(detail=True, methods=["get"], url_path="readiness-profile")
    def readiness_profile(self, request, id=None):
        from readiness.selectors import profile_with_version_at

        calloff = self._calloff_with_profile(request, id)
        profile = profile_with_version_at(organisation_id=calloff.organisation_id, at=calloff.accepted_at)
        if profile is None:
            return _not_available(request, _("Die Stelle hat kein Vorbereitungsprofil hinterlegt."))
        return Response(
            serializers.ReadinessProfileSerializer(profile, context={"calloff": calloff, "request": request}).data
        )

    @extend_schema(
        summary="The body's network overview (file)",
        responses={
            **{
                (200, media): OpenApiResponse(OpenApiTypes.BINARY, description="The network overview.")
                for media in ("application/pdf", "image/png", "image/jpeg")
            },
            (409, "application/problem+json"): OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="The stored file no longer matches its SHA-256 (`network_overview_altered`); nothing "
                "is sent.",
            ),
        },
        description=(
            "The network plan the body uploaded to its readiness profile (PDF, PNG or JPEG), sent as an attachment "
            "under the type its content has, its SHA-256 in `X-Content-SHA256` (as in the profile's "
            "`network_overview.sha256`). The same need-to-know rule as the profile: only the provider that "
            "accepted the call-off, from the acceptance on; otherwise 404 `not_found`. 404 `not_available` when "
            "the body has not uploaded one. On a drill call-off (`drill: true`) this is the body's real network "
            "overview: a drill rehearses the real hand-over."
        ),
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="readiness-profile/network-overview",
        url_name="readiness-network-overview",
        renderer_classes=[FileRenderer, JSONRenderer],
    )
    def readiness_network_overview(self, request, id=None):
        from readiness.responses import network_overview_response
        from readiness.selectors import network_overview_of

        calloff = self._calloff_with_profile(request, id)
        overview = network_overview_of(organisation_id=calloff.organisation_id)
        if overview is None:
            return _not_available(request, _("Die Stelle hat keine Netzübersicht hinterlegt."))
        response = network_overview_response(overview, actor=request.user, via="api")
        if response is None:
            return problems.problem_response(
                status_code=409,
                code="network_overview_altered",
                detail=_(
                    "Die gespeicherte Netzübersicht stimmt nicht mehr mit ihrer Prüfsumme (SHA-256) überein und "
                    "wird nicht ausgeliefert."
                ),
                request=request,
            )
        return response

    # --- Helpers --------------------------------------------------------------------------

    @staticmethod
    def _calloff_with_profile(request, id) -> CallOff:
        """The call-off through which this provider sees the body's readiness profile, or 404.
        Not get_object(): no prefetches of the detail; the need-to-know rule is the lookup itself."""
        from ..visibility import calloffs_with_profile_for

        try:
            public_id = uuid.UUID(str(id))
        except ValueError as exc:
            raise NotFound() from exc
        calloff = calloffs_with_profile_for(request.user).filter(public_id=public_id).first()
        if calloff is None:
            raise NotFound()
        return calloff

    @staticmethod
    def _valid(serializer_class, request) -> dict:
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


@csrf_exempt  # a POST to an unknown path gets the 404 problem too, not the portal's CSRF page
def not_found(request, *args, **kwargs):
    """Any other path under /api/v1/: a 404 problem, not the portal's HTML page."""
    body = {
        "type": problems.TYPE_PREFIX + "not_found",
        "title": "Not Found",
        "status": 404,
        "detail": _("Nicht gefunden."),
        "code": "not_found",
        "instance": request.path,
    }
    return JsonResponse(body, status=404, content_type=problems.PROBLEM_CONTENT_TYPE)
