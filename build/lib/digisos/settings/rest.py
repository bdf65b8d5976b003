"""Django REST framework and drf-spectacular."""

from .parsers import env_int, env_rate

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Digi-SOS Provider API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "DESCRIPTION": (
        "The API through which the service providers of the Digi-SOS framework contract work their offers "
        "and call-offs. Authenticate with `Authorization: Bearer <key>`. Errors are "
        "`application/problem+json` (RFC 9457). Every POST honours an `Idempotency-Key` header."
    ),
    # Swagger UI and Redoc from the drf-spectacular-sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "AttachmentKindEnum": "calloffs.models.api.AttachmentKind",
        "UpdateKindEnum": "calloffs.api.serializers.UPDATE_KIND_CHOICES",
        "DocumentStateEnum": "calloffs.api.serializers.API_DOCUMENT_STATES",
        "StateEnum": "calloffs.models.CallOffState",
        "IndicatorKindEnum": "aftercare.models.IndicatorKind",
        "CategoryEnum": "incidents.models.Category",
        "FindingCategoryEnum": "aftercare.models.FindingCategory",
        "SeverityEnum": "aftercare.models.Severity",
        "TlpEnum": "aftercare.models.Tlp",
        "ProtectionNeedEnum": "readiness.models.ProtectionNeed",
    },
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "calloffs.api.schema.add_problem_responses",
    ],
}

# --- Provider API limits (calloffs.api) -----------------------------------------------------
#: Requests per API key, "<n>/<sec|min|hour|day>".
API_RATE_LIMIT = env_rate("API_RATE_LIMIT", "600/min")
#: Largest file accepted by POST /api/v1/calloffs/{id}/attachments/, in bytes.
API_MAX_UPLOAD_BYTES = env_int("API_MAX_UPLOAD_BYTES", 20 * 1024 * 1024, minimum=1024)
#: Largest JSON body (and non-file form data) Django and the API accept, in bytes (413 above).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440, minimum=1024)  # Django's default
