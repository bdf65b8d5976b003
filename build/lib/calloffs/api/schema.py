"""drf-spectacular post-processing: the problem+json (RFC 9457) responses every operation can
give, documented once as a component and added to each operation of the provider API."""

from __future__ import annotations

from .problems import PROBLEM_CONTENT_TYPE

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details. Branch on `code` (or `type`), never on `detail`.",
    "properties": {
        "type": {"type": "string", "description": "urn:digisos:problem:<code>"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "German, for people."},
        "code": {"type": "string", "description": "Stable machine-readable code, e.g. offer_not_open."},
        "instance": {"type": "string"},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "Per field, for invalid input.",
        },
    },
    "required": ["type", "title", "status", "detail", "code"],
}

#: status → description; added to every operation (a GET cannot give 409/413/415/422).
COMMON = {
    "400": "Invalid input (`invalid`, with `errors` per field).",
    "401": "Missing, wrong, revoked or expired API key (`not_authenticated`).",
    "404": "No such call-off for this provider (`not_found`).",
    "406": "The Accept header asks for a type this endpoint does not produce.",
    "429": "Rate limit of this API key exceeded (`rate_limited`); see Retry-After.",
}
WRITE = {
    "403": "This provider may not take this step (`not_permitted`).",
    "409": "Conflict with the current state (`offer_not_open`, `transition_not_allowed`, `idempotency_in_progress`).",
    "413": "Request body or file too large (`too_large`, `file_too_large`).",
    "415": "Unsupported media type of the request or the file (`unsupported_media_type`, `unsupported_file_type`).",
    "422": "Idempotency-Key reused with another request (`idempotency_key_reused`).",
}


def add_problem_responses(result, generator, request, public):
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM_SCHEMA
    ref = {"$ref": "#/components/schemas/Problem"}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            # ?format= (DRF's URL format override) is not part of the contract.
            operation["parameters"] = [
                p for p in operation.get("parameters", []) if not (p.get("in") == "query" and p["name"] == "format")
            ]
            for parameter in operation["parameters"]:
                if parameter.get("in") == "path" and parameter.get("name") == "id":
                    parameter["schema"] = {"type": "string", "format": "uuid"}
                    parameter.setdefault("description", "The call-off's id (UUID).")
            responses = operation.setdefault("responses", {})
            extra = dict(COMMON)
            if method != "get":
                extra.update(WRITE)
            for code, description in extra.items():
                response = responses.setdefault(code, {"description": description})
                response.setdefault("content", {})[PROBLEM_CONTENT_TYPE] = {"schema": ref}
    return result
