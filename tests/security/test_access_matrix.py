"""Every URL × every persona → the expected status. Generated from the URL conf: a new endpoint
that is not in the matrix fails ``test_every_url_is_in_the_matrix``, so none can be forgotten.

Personas: anonymous; a body's caller (alice), read-only member (bob) and admin; a caller of
another body (charlie, the outsider); the provider holding the offer (provider1) and another
provider (provider2); ministry staff. Objects of others must be 404, never 403 (no existence leak).
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.security.access_world import _kwargs
from tests.security.access_world import world as world  # noqa: F401, PLC0414  (fixture)

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "caller", "member", "admin", "outsider", "provider1", "provider2", "ministry"]
LOGIN = "login"  # a redirect to the login page
OK = "ok"  # 200, 201, 204 or a redirect that is not to the login (e.g. after a POST)
DENIED = "denied"  # 403 (the object is visible, the action is not allowed), or a 400 for a refused POST
NOT_FOUND = 404
UNAUTH = 401

# Shorthands for whole rows.
PUBLIC = dict.fromkeys(PERSONAS, OK)
ANY_USER = {**dict.fromkeys(PERSONAS, OK), "anonymous": LOGIN}
MINISTRY = {**dict.fromkeys(PERSONAS, NOT_FOUND), "anonymous": LOGIN, "ministry": OK}
BODY_READ = {
    "anonymous": LOGIN,
    "caller": OK,
    "member": OK,
    "admin": OK,
    "outsider": NOT_FOUND,
    "provider1": NOT_FOUND,
    "provider2": NOT_FOUND,
    "ministry": OK,
}
BODY_WRITE = {**BODY_READ, "member": DENIED}
CALLOFF_READ = {**BODY_READ, "provider1": OK}  # provider 1 has accepted: it is the assigned provider
CALLOFF_BODY_ACTION = {**CALLOFF_READ, "member": DENIED, "provider1": DENIED}
CALLOFF_DOCUMENT_WRITE = {**CALLOFF_READ, "member": DENIED}  # a read-only member reads, makes no document
INCIDENT_READ = {**BODY_READ, "provider1": OK}
INCIDENT_WRITE = {**INCIDENT_READ, "member": DENIED, "provider1": DENIED}
PARENT_ADMIN = {**dict.fromkeys(PERSONAS, NOT_FOUND), "anonymous": LOGIN, "admin": OK, "ministry": OK}
API = {**dict.fromkeys(PERSONAS, UNAUTH), "provider1": OK, "provider2": OK}
API_OBJECT = {**dict.fromkeys(PERSONAS, UNAUTH), "provider1": OK, "provider2": NOT_FOUND}
#: Aftercare: the engaged provider writes its findings and indicators; the body and the ministry read them.
AFTERCARE_WRITE = {**INCIDENT_READ, **dict.fromkeys(["caller", "member", "admin", "ministry"], DENIED)}
#: The reconnection gate: opened (and closed again) by a body admin or the ministry; every other party of the
#: incident is refused (403), outsiders and other providers get 404.
GATE_OPEN = {**INCIDENT_READ, **dict.fromkeys(["caller", "member", "provider1"], DENIED)}
#: The final report: issued and written by the accepting provider and the body's callers/admins; read-only
#: members and the ministry read it. The NIS-2 draft is the body's alone (the ministry: 404).
REPORT_WRITE = {**INCIDENT_READ, "member": DENIED, "ministry": DENIED}
NIS2_DRAFT = {**BODY_WRITE, "ministry": NOT_FOUND}
#: The incident's final report (every engagement): the body's members and the ministry read it, its callers/admins and
#: the ministry issue it; no provider sees it, not even the engaged one (another provider's findings and hours: 404).
INCIDENT_REPORT_WRITE = BODY_WRITE
#: Evidence on findings is shared with the body only: its members and the provider that uploaded it, not the ministry.
EVIDENCE_READ = {**INCIDENT_READ, "ministry": NOT_FOUND}
#: Starting a drill: whoever may file for a body (the outsider for its own) and the ministry; not read-only members
#: or providers (403: the page exists, starting is not theirs).
DRILL_START = {**ANY_USER, "member": DENIED, "provider1": DENIED, "provider2": DENIED}


def row(**overrides):
    return overrides


# url name → (method, kwargs builder name or None, expectations per persona)
MATRIX: dict[str, tuple[str, str | None, dict]] = {
    "home": ("get", None, ANY_USER),
    "health": ("get", None, PUBLIC),
    "ready": ("get", None, PUBLIC),  # test_access marks a recent deadline sweep (503 without one)
    # The test client is loopback: allowed. From elsewhere only with METRICS_TOKEN (tests/ops/test_ops_endpoints.py).
    "metrics": ("get", None, PUBLIC),
    "accessibility": ("get", None, PUBLIC),
    "set_language": ("post", None, PUBLIC),
    "verify": ("get", "verify", PUBLIC),
    # tenants
    "tenants:organisation_list": ("get", None, ANY_USER),
    "tenants:organisation_detail": ("get", "org", BODY_READ),
    "tenants:invitation_create": ("get", "org", {**BODY_READ, "caller": DENIED, "member": DENIED}),
    "tenants:membership_update": ("post", "membership", {**BODY_READ, "caller": DENIED, "member": DENIED}),
    "tenants:ministry_invitation_create": (
        "get",
        None,
        {**ANY_USER, **dict.fromkeys(["caller", "member", "admin", "outsider", "provider1", "provider2"], DENIED)},
    ),
    "tenants:invitation_accept": ("get", "invitation_token", {**dict.fromkeys(PERSONAS, DENIED), "anonymous": OK}),
    # incidents
    "incidents:list": ("get", None, ANY_USER),
    "incidents:detail": ("get", "incident", INCIDENT_READ),
    "incidents:edit": ("get", "incident", INCIDENT_WRITE),
    "incidents:action": ("post", "incident_action", INCIDENT_WRITE),
    "incidents:obligation_done": ("post", "obligation", INCIDENT_WRITE),
    "incidents:obligation_draft": ("get", "obligation", INCIDENT_WRITE),
    # The world's attachment is not shared with the provider (the default): only the body and the ministry.
    "incidents:attachment": ("get", "incident_attachment", {**INCIDENT_READ, "provider1": NOT_FOUND}),
    "incidents:major_list": ("get", None, MINISTRY),
    "incidents:major_detail": ("get", "major", MINISTRY),
    "incidents:major_link": ("post", "major", MINISTRY),
    "incidents:major_close": ("post", "major", MINISTRY),
    # call-offs: the body, the provider holding the offer, the ministry
    "calloffs:list": ("get", None, ANY_USER),
    "calloffs:create": ("get", None, {**ANY_USER, "member": DENIED, "provider1": DENIED, "provider2": DENIED}),
    "calloffs:detail": ("get", "calloff", CALLOFF_READ),
    "calloffs:live": ("get", "calloff", CALLOFF_READ),
    "calloffs:scope": ("get", "calloff", {**CALLOFF_READ, "member": DENIED, "provider1": DENIED}),
    "calloffs:action": ("post", "calloff_cancel", CALLOFF_BODY_ACTION),
    "calloffs:documents": ("get", "calloff", CALLOFF_READ),
    "calloffs:proof_of_work": ("post", "calloff", CALLOFF_DOCUMENT_WRITE),
    "calloffs:attachment_download": ("get", "calloff_attachment", CALLOFF_READ),
    "calloffs:document_download": ("get", "document", CALLOFF_READ),
    # Rendering a document again changes nothing of the call-off, but costs a worker: not for read-only members.
    "calloffs:document_retry": ("post", "document", CALLOFF_DOCUMENT_WRITE),
    "calloffs:emergency_card": ("get", "org_card", BODY_READ),
    "calloffs:situation": ("get", None, MINISTRY),
    # The body's administration reads its own messages; replay is the ministry's.
    "calloffs:deliveries": ("get", None, {**MINISTRY, "admin": OK}),
    "calloffs:delivery_detail": ("get", "notification", {**MINISTRY, "admin": OK}),
    "calloffs:delivery_replay": ("post", "notification", MINISTRY),
    "calloffs:api_keys": ("get", None, MINISTRY),
    "calloffs:provider_webhooks": (
        "get",
        None,
        {**dict.fromkeys(PERSONAS, NOT_FOUND), "anonymous": LOGIN, "provider1": OK, "provider2": OK},
    ),
    # A provider's own billing data: provider 1's page (its id in the URL); another provider, bodies, the
    # ministry (it edits providers in the contract administration) and outsiders get a 404.
    "calloffs:provider_billing_data": (
        "get",
        "provider",
        {**dict.fromkeys(PERSONAS, NOT_FOUND), "anonymous": LOGIN, "provider1": OK},
    ),
    "calloffs:monthly_report": ("get", None, MINISTRY),
    "calloffs:monthly_report_pdf": ("get", None, MINISTRY),
    "calloffs:monthly_report_csv": ("get", None, MINISTRY),
    "calloffs:contract_dashboard": ("get", None, MINISTRY),
    "calloffs:contract_alert_ack": ("post", "alert", MINISTRY),
    "calloffs:contract_create": ("get", None, MINISTRY),
    "calloffs:contract_provider_list": ("get", None, MINISTRY),
    "calloffs:contract_provider_create": ("get", None, MINISTRY),
    "calloffs:contract_provider_detail": ("get", "provider", MINISTRY),
    "calloffs:contract_provider_edit": ("get", "provider", MINISTRY),
    "calloffs:contract_provider_contact_create": ("get", "provider", MINISTRY),
    "calloffs:contract_provider_contact_edit": ("get", "provider_contact", MINISTRY),
    "calloffs:contract_provider_staff_add": ("post", "provider", MINISTRY),
    "calloffs:contract_provider_staff_remove": ("post", "provider", MINISTRY),
    "calloffs:contract_detail": ("get", "contract", MINISTRY),
    "calloffs:contract_edit": ("get", "contract", MINISTRY),
    "calloffs:contract_entitled": ("get", "contract", MINISTRY),
    "calloffs:contract_module_create": ("get", "contract", MINISTRY),
    "calloffs:contract_module_edit": ("get", "module", MINISTRY),
    "calloffs:contract_role_create": ("get", "contract", MINISTRY),
    "calloffs:contract_role_edit": ("get", "role", MINISTRY),
    "calloffs:contract_sla_edit": ("get", "sla", MINISTRY),
    "calloffs:contract_ranking": ("get", "contract", MINISTRY),
    "calloffs:contract_ranking_edit": ("get", "contract", MINISTRY),
    "calloffs:contract_ranking_version": ("get", "ranking_version", MINISTRY),
    # provider API (Bearer keys; sessions do not authenticate)
    "api_v1:schema": ("get", None, PUBLIC),
    "api_v1:docs": ("get", None, PUBLIC),
    "api_v1:calloff-list": ("get", None, API),
    "api_v1:calloff-detail": ("get", "api_calloff", API_OBJECT),
    "api_v1:calloff-accept": ("post", "api_calloff", API_OBJECT),
    "api_v1:calloff-decline": ("post", "api_calloff", API_OBJECT),
    "api_v1:calloff-updates": ("post", "api_calloff", API_OBJECT),
    "api_v1:calloff-time-entries": ("get", "api_calloff", API_OBJECT),
    "api_v1:calloff-attachments": ("post", "api_calloff", API_OBJECT),
    "api_v1:calloff-complete": ("post", "api_calloff", API_OBJECT),
    "api_v1:calloff-order-pdf": ("get", "api_calloff", API_OBJECT),
    "api_v1:calloff-document-pdf": ("get", "api_document", API_OBJECT),
    # The body's readiness profile: the accepting provider only (provider 2 was never offered it).
    "api_v1:calloff-readiness-profile": ("get", "api_calloff", API_OBJECT),
    "api_v1:calloff-readiness-network-overview": ("get", "api_calloff", API_OBJECT),
    "api_v1:webhook-list": ("get", None, API),
    "api_v1:webhook-detail": ("get", "webhook", API_OBJECT),
    "api_v1:webhook-rotate-secret": ("post", "webhook", {**API_OBJECT, "provider1": OK}),
    # status pages: the published page and its feed for everyone (unpublished → 404: tests/statuspages);
    # written by the body's callers and admins; the ministry and a principal only under a mandate to act
    # in the body's name (tests/statuspages): without one the ministry reads the body but may not publish
    "statuspages:public": ("get", "statuspage", PUBLIC),
    "statuspages:public_en": ("get", "statuspage", PUBLIC),
    "statuspages:feed": ("get", "statuspage", PUBLIC),
    "statuspages:feed_en": ("get", "statuspage", PUBLIC),
    "statuspages:list": ("get", None, ANY_USER),
    "statuspages:manage": ("get", "org", {**BODY_WRITE, "ministry": DENIED}),
    # onboarding: the form for everyone; a request only for the parent body's administration and the ministry
    "onboarding:request": ("get", None, PUBLIC),
    "onboarding:received": ("get", None, PUBLIC),
    "onboarding:list": ("get", None, ANY_USER),
    "onboarding:detail": ("get", "access_request", PARENT_ADMIN),
    "onboarding:proof": ("get", "access_request", PARENT_ADMIN),
    # aftercare: findings and indicators (portal and API)
    "aftercare:incident": ("get", "incident", INCIDENT_READ),
    "aftercare:finding_new": ("get", "aftercare_calloff", AFTERCARE_WRITE),
    "aftercare:finding_edit": ("get", "finding", AFTERCARE_WRITE),
    "aftercare:indicator_new": ("get", "aftercare_calloff", AFTERCARE_WRITE),
    "aftercare:indicator_edit": ("get", "indicator", AFTERCARE_WRITE),
    # The body's callers and administrators choose an indicator's TLP (the provider on its own edit page).
    "aftercare:indicator_tlp": ("get", "indicator", {**INCIDENT_WRITE, "ministry": DENIED}),
    "aftercare:evidence_new": ("get", "finding", AFTERCARE_WRITE),
    "aftercare:evidence_download": ("get", "evidence", EVIDENCE_READ),
    "aftercare_api:evidence-list": ("get", "api_finding", API_OBJECT),
    "aftercare_api:evidence-file": ("get", "api_evidence", API_OBJECT),
    "aftercare:incident_export": ("get", "aftercare_export", INCIDENT_READ),
    "aftercare:major_export": ("get", "aftercare_major_export", MINISTRY),
    "aftercare:matches": ("get", None, MINISTRY),
    "aftercare:nrw_export": ("get", "aftercare_format", MINISTRY),
    "aftercare:report_issue": ("post", "aftercare_calloff", REPORT_WRITE),
    "aftercare:lessons_edit": ("get", "aftercare_calloff", REPORT_WRITE),
    "aftercare:incident_report_issue": ("post", "incident", INCIDENT_REPORT_WRITE),
    "aftercare:nis2_draft": ("get", "incident", NIS2_DRAFT),
    "aftercare:nis2_draft_download": ("get", "incident", NIS2_DRAFT),
    "aftercare_api:finding-list": ("post", "api_calloff", API_OBJECT),
    "aftercare_api:finding-detail": ("get", "api_finding", API_OBJECT),
    "aftercare_api:indicator-list": ("get", "api_calloff", API_OBJECT),
    "aftercare_api:indicator-detail": ("get", "api_indicator", API_OBJECT),
    # aftercare: measures and the reconnection gate (the admin opens it; the ministry then meets a 400:
    # already open, past the permission gate)
    "aftercare:measures": ("get", "incident", INCIDENT_READ),
    "aftercare:measure": ("get", "measure", INCIDENT_READ),
    "aftercare:measure_new": ("get", "aftercare_calloff", AFTERCARE_WRITE),
    "aftercare:gate_open": ("post", "incident", GATE_OPEN),
    # closing without a reason: the admin and the ministry meet a 400 past the permission gate
    "aftercare:gate_close": ("post", "incident", GATE_OPEN),
    "aftercare:contract_terms": ("get", "contract", MINISTRY),
    "aftercare:major_gates": ("get", "major", MINISTRY),
    "aftercare_api:measure-list": ("get", "api_calloff", API_OBJECT),
    "aftercare_api:measure-detail": ("get", "api_measure", API_OBJECT),
    "aftercare_api:measure-verify": ("post", "api_measure", API_OBJECT),
    # readiness: the body reads its profile (the ministry only the overview: need to know)
    "readiness:profile": ("get", "org", {**BODY_READ, "ministry": NOT_FOUND}),
    "readiness:overview": ("get", None, MINISTRY),
    # the network overview: every member downloads it, callers and admins upload; the ministry neither
    "readiness:network_overview": ("get", "org", {**BODY_READ, "ministry": NOT_FOUND}),
    "readiness:network_overview_upload": ("get", "org", {**BODY_WRITE, "ministry": NOT_FOUND}),
    # its removal (a confirmation page, then a POST): callers and admins only; the ministry and providers 404
    "readiness:network_overview_remove": ("get", "org", {**BODY_WRITE, "ministry": NOT_FOUND}),
    # ... and the accepting provider through the call-off (need to know; the body uses its own address)
    "calloffs:readiness_network_overview": (
        "get",
        "calloff",
        {**dict.fromkeys(PERSONAS, NOT_FOUND), "anonymous": LOGIN, "provider1": OK},
    ),
    # settlement: the statement of provider 1 for the world's call-off
    "settlement:list": ("get", None, ANY_USER),
    "settlement:detail": ("get", "statement", CALLOFF_READ),
    # the world's statement is not approved yet: back to the statement page (a redirect) for whoever sees it
    "settlement:invoice": ("get", "statement", CALLOFF_READ),
    "settlement:invoice_pdf": ("get", "statement", CALLOFF_READ),
    # only the statement's provider uploads its own invoice (the world's statement is not approved: a redirect)
    "settlement:invoice_upload": (
        "get",
        "statement",
        {**dict.fromkeys(PERSONAS, NOT_FOUND), "anonymous": LOGIN, "provider1": OK},
    ),
    "settlement:submit": (
        "get",
        "statement_submit",
        {**dict.fromkeys(PERSONAS, NOT_FOUND), "anonymous": LOGIN, "provider1": OK},
    ),
    "settlement:billing_terms": ("get", "contract", MINISTRY),
    "settlement_api:calloff-statements": ("get", "api_calloff", API_OBJECT),
    "settlement_api:statement-detail": ("get", "api_statement", API_OBJECT),
    "settlement_api:statement-answer": ("post", "api_statement", API_OBJECT),
    "settlement_api:statement-invoice": ("get", "api_statement", {**API_OBJECT, "provider1": 409}),
    "settlement_api:statement-invoice-pdf": ("get", "api_statement", {**API_OBJECT, "provider1": 409}),
    # drills: started by a body's callers and admins (the outsider for its own body) or the ministry; a drill's
    # report is for its body, the ministry and the provider asked (provider 1); the overview is the ministry's
    "calloffs:drill_start": ("get", None, DRILL_START),
    "calloffs:drill_report": ("get", "drill", {**CALLOFF_READ, "provider1": OK}),
    "calloffs:drill_report_pdf": ("get", "drill", {**CALLOFF_READ, "provider1": OK}),
    "calloffs:drill_overview": ("get", None, MINISTRY),
    "calloffs:drill_overview_pdf": ("get", None, MINISTRY),
}
SKIPPED_NAMESPACES = ("admin",)  # the Django admin: tested in tests/test_admin_guard.py
SKIPPED_PREFIXES = ("accounts/",)  # allauth's own pages (login, MFA): tested in tests/tenants/


def _walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield prefix + str(pattern.pattern), name, namespace


def project_urls():
    for route, name, namespace in _walk(get_resolver().url_patterns):
        if route.startswith(SKIPPED_PREFIXES) or (namespace or "").startswith(SKIPPED_NAMESPACES):
            continue
        if name is None or name.endswith("-root") or "format" in route:
            continue  # DRF's catch-all 404 and format-suffix variants
        yield route, name


def test_every_url_is_in_the_matrix():
    missing = sorted({name for _route, name in project_urls()} - set(MATRIX))
    assert not missing, f"add these endpoints to the access matrix: {missing}"


def _classify(response, method) -> object:
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    if status in (301, 302, 303):
        return LOGIN if "/accounts/login/" in response["Location"] else OK
    if status in (200, 201, 204):
        return OK
    if status == 403:
        return DENIED
    if method == "post" and status in (400, 409, 410, 422):
        return OK  # through the permission gate; the empty body or the state was refused
    return status


def _client(persona, w, is_api):
    if is_api:
        from rest_framework.test import APIClient

        client = APIClient()
        if persona in w["keys"]:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {w['keys'][persona]}")
        elif persona != "anonymous":
            client.force_login(w["users"][persona])  # a session must not authenticate the API
        return client
    client = Client()
    if persona != "anonymous":
        client.force_login(w["users"][persona])
    return client


def test_access(world):
    """One world, every URL × every persona (a single test keeps the set-up to once)."""
    from django.core.cache import cache
    from django.utils import timezone

    from calloffs.tasks.sweep import LAST_DEADLINE_SWEEP_KEY

    problems = []
    clients = {(persona, api): _client(persona, world, api) for persona in PERSONAS for api in (False, True)}
    for name in sorted(MATRIX):
        method, kind, expected = MATRIX[name]
        if name in ("api_v1:webhook-detail", "api_v1:webhook-rotate-secret"):
            continue  # need a webhook endpoint of provider 1: covered in tests/api/test_webhooks_api.py
        is_api = name.startswith(("api_v1:", "aftercare_api:", "settlement_api:"))
        url = reverse(name, kwargs=_kwargs(kind, world))
        # /ready/ wants a recent deadline sweep; stamped per URL, not once, so that a slow run (a loaded
        # machine takes minutes for the matrix) does not turn "ready" into 503.
        cache.set(LAST_DEADLINE_SWEEP_KEY, timezone.now().isoformat())
        for persona in PERSONAS:
            response = getattr(clients[persona, is_api], method)(url)
            got = _classify(response, method)
            if got != expected[persona]:
                problems.append(
                    f"{method.upper()} {url} ({name}) as {persona}: expected {expected[persona]}, got {got}"
                )
    assert not problems, "\n".join(problems)
