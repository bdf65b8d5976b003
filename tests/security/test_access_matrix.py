"""Every URL × every persona → the expected status. Generated from the URL conf: a new endpoint
that is not in the matrix fails ``test_every_url_is_in_the_matrix``, so none can be forgotten.

Personas: anonymous; a body's caller (alice), read-only member (bob) and admin; a caller of
another body (charlie, the outsider); the provider holding the offer (provider1) and another
provider (provider2); ministry staff. Objects of others must be 404, never 403 (no existence leak).
"""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from incidents import services as incident_services
from incidents.models import Category
from tenants.models import Membership

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
#: The reconnection gate: opened by a body admin or the ministry; every other party of the incident is refused.
GATE_OPEN = {**INCIDENT_READ, **dict.fromkeys(["caller", "member", "provider1"], DENIED)}
#: The final report: issued and written by the accepting provider and the body's callers/admins; read-only
#: members and the ministry read it. The NIS-2 draft is the body's alone (the ministry: 404).
REPORT_WRITE = {**INCIDENT_READ, "member": DENIED, "ministry": DENIED}
NIS2_DRAFT = {**BODY_WRITE, "ministry": NOT_FOUND}
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
    "aftercare:contract_terms": ("get", "contract", MINISTRY),
    "aftercare:major_gates": ("get", "major", MINISTRY),
    "aftercare_api:measure-list": ("get", "api_calloff", API_OBJECT),
    "aftercare_api:measure-detail": ("get", "api_measure", API_OBJECT),
    "aftercare_api:measure-verify": ("post", "api_measure", API_OBJECT),
    # readiness: the body reads its profile (the ministry only the overview: need to know)
    "readiness:profile": ("get", "org", {**BODY_READ, "ministry": NOT_FOUND}),
    "readiness:overview": ("get", None, MINISTRY),
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


@pytest.fixture
def world(setup, file_calloff, alice, bob, body_admin, charlie, ministry, org_a, keys, api):
    """One of everything, owned by body A and offered to provider 1."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from calloffs import services as calloff_services
    from calloffs.models import MinistryAlert, ProviderContact
    from calloffs.services.api_keys import api_key_create  # noqa: F401
    from calloffs.services.attachments import attachment_add
    from calloffs.services.documents import document_render, document_request
    from notifications.models import Notification
    from readiness.services import readiness_profile_save
    from tenants import services as tenant_services

    readiness_profile_save(organisation=org_a, actor=alice, critical_systems="Meldewesen – hoch")
    calloff = file_calloff()
    calloff = calloff_services.offer_accept(
        calloff=calloff,
        provider=setup.providers[0],
        actor=setup.staff[0],
        lead_name="Jana Keller",
        lead_phone="+49 211 5550110",
    )
    incident = calloff.incident
    # The worker would render the order after the commit; here the test does it at once.
    order = calloff.documents.filter(kind="order").first() or document_request(calloff=calloff, kind="order")
    document_render(document_id=order.pk)
    order.refresh_from_db()
    calloff_attachment = attachment_add(
        calloff=calloff,
        provider=setup.providers[0],
        actor=setup.staff[0],
        kind="report",
        upload=SimpleUploadedFile("bericht.txt", b"Bericht", content_type="text/plain"),
    )
    incident_attachment = incident_services.attachment_add(
        incident=incident, actor=alice, uploaded_file=SimpleUploadedFile("log.txt", b"log"), content_type="text/plain"
    )
    obligation = incident.obligations.first()
    major = incident_services.major_incident_declare(actor=ministry, title="Lage")
    incident_services.major_incident_link(major=major, actor=ministry, organisations=[org_a], category=Category.OTHER)
    _invitation, token = tenant_services.invitation_create(
        actor=body_admin, email="neu@example.org", organisation=org_a, role="member"
    )
    from statuspages import services as statuspage_services

    statuspage = statuspage_services.status_page_save(
        organisation=org_a,
        actor=alice,
        headline="Eingeschränkt erreichbar",
        summary="Viele Dienste ruhen.",
        phone="0211 1234",
    )
    statuspage_services.status_page_publish(page=statuspage, actor=alice)
    from django.core.files.uploadedfile import SimpleUploadedFile as Upload

    from onboarding.services import access_request_submit

    access_request = access_request_submit(
        data={
            "name": "Stadtwerke A GmbH",
            "legal_form": "kommunales_unternehmen",
            "parent": org_a,
            "street": "Werkstraße 5",
            "postcode": "50667",
            "city": "Stadt A",
            "contact_name": "Petra Netz",
            "contact_email": "p.netz@stadtwerke-a.example",
            "contact_phone": "+49 221 5550100",
        },
        proof=Upload("nachweis.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
    )
    contact = ProviderContact.objects.create(provider=setup.providers[0], name="Kontakt", phone="+49 211 555")
    alert = MinistryAlert.objects.create(kind="unassigned", message="Test", calloff=calloff)
    from aftercare import services as aftercare_services

    finding = aftercare_services.finding_create(
        calloff=calloff, actor=setup.staff[0], title="Befund", description="D", category="phishing", severity="high"
    )
    indicator = aftercare_services.indicator_create(
        calloff=calloff, actor=setup.staff[0], kind="domain", value="evil.example", tlp="green"
    )
    from aftercare.evidence.services import evidence_add

    evidence = evidence_add(finding=finding, actor=setup.staff[0], upload=SimpleUploadedFile("vpn.log", b"login ok\n"))
    from django.utils import timezone

    from settlement.services import statement_submit

    calloff_services.time_entry_add(
        calloff=calloff,
        provider=setup.providers[0],
        actor=setup.staff[0],
        date=timezone.localdate(),
        hours="2",
        role=setup.roles.lead,
        description="Analyse",
    )
    statement = statement_submit(
        calloff=calloff,
        provider=setup.providers[0],
        actor=setup.staff[0],
        period_start=timezone.localdate(),
        period_end=timezone.localdate(),
    )
    drill = file_calloff(drill=True, client_token=uuid.uuid4())
    return {
        "drill": drill,
        "statement": statement,
        "calloff": calloff,
        "incident": incident,
        "obligation": obligation,
        "major": major,
        "token": token,
        "membership": Membership.objects.get(user=alice),
        "contact": contact,
        "alert": alert,
        "statuspage": statuspage,
        "access_request": access_request,
        "finding": finding,
        "indicator": indicator,
        "measure": finding.measures.get(),
        "evidence": evidence,
        "order": order,
        "calloff_attachment": calloff_attachment,
        "incident_attachment": incident_attachment,
        "notification": Notification.objects.filter(calloff=calloff, audience="body").first(),
        "users": {
            "caller": alice,
            "member": bob,
            "admin": body_admin,
            "outsider": charlie,
            "provider1": setup.staff[0],
            "provider2": setup.staff[1],
            "ministry": ministry,
        },
        "keys": {"provider1": keys[0], "provider2": keys[1]},
        "setup": setup,
        "org": org_a,
    }


def _kwargs(kind, w):
    c, s = w["calloff"], w["setup"]
    missing = uuid.uuid4()
    return {
        None: {},
        "org": {"public_id": w["org"].public_id},
        "org_card": {"organisation_id": w["org"].public_id},
        "membership": {"public_id": w["org"].public_id, "membership_id": w["membership"].pk},
        "invitation_token": {"token": w["token"]},
        "incident": {"public_id": w["incident"].public_id},
        "incident_action": {"public_id": w["incident"].public_id, "action": "note"},
        "obligation": {"public_id": w["incident"].public_id, "obligation_id": w["obligation"].pk},
        "incident_attachment": {
            "public_id": w["incident"].public_id,
            "attachment_id": w["incident_attachment"].public_id,
        },
        "major": {"public_id": w["major"].public_id},
        "calloff": {"public_id": c.public_id},
        "calloff_cancel": {"public_id": c.public_id, "action": "cancel"},
        "calloff_attachment": {"public_id": c.public_id, "attachment_id": w["calloff_attachment"].public_id},
        "document": {"document_id": w["order"].public_id},
        "notification": {"public_id": w["notification"].public_id},
        "alert": {"public_id": w["alert"].public_id},
        "provider": {"public_id": s.providers[0].public_id},
        "provider_contact": {"public_id": s.providers[0].public_id, "contact_id": w["contact"].public_id},
        "contract": {"public_id": s.contract.public_id},
        "module": {"public_id": s.contract.public_id, "module_id": s.modules.remote.public_id},
        "role": {"public_id": s.contract.public_id, "role_id": s.roles.lead.public_id},
        "sla": {"public_id": s.contract.public_id, "priority": "P1"},
        "ranking_version": {"public_id": s.contract.public_id, "number": 1},
        "verify": {"code": w["order"].verify_code},
        "api_calloff": {"id": c.public_id},
        "api_document": {"id": c.public_id, "document_id": w["order"].public_id},
        "aftercare_calloff": {"calloff_id": c.public_id},
        "aftercare_export": {"public_id": w["incident"].public_id, "fmt": "stix"},
        "aftercare_major_export": {"public_id": w["major"].public_id, "fmt": "misp"},
        "aftercare_format": {"fmt": "stix"},
        "finding": {"public_id": w["finding"].public_id},
        "indicator": {"public_id": w["indicator"].public_id},
        "api_finding": {"id": c.public_id, "item_id": w["finding"].public_id},
        "api_indicator": {"id": c.public_id, "item_id": w["indicator"].public_id},
        "measure": {"public_id": w["measure"].public_id},
        "api_measure": {"id": c.public_id, "item_id": w["measure"].public_id},
        "evidence": {"public_id": w["evidence"].public_id},
        "api_evidence": {"id": c.public_id, "item_id": w["finding"].public_id, "evidence_id": w["evidence"].public_id},
        "webhook": {"id": missing},
        "statuspage": {"slug": w["statuspage"].slug},
        "access_request": {"public_id": w["access_request"].public_id},
        "statement": {"public_id": w["statement"].public_id},
        "statement_submit": {"calloff_id": c.public_id},
        "api_statement": {"id": w["statement"].public_id},
        "drill": {"public_id": w["drill"].public_id},
    }[kind]


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


# --- Call-off states × provider personas (issue 14: need to know) --------------------------------
#
# One incident of body A, one call-off through it. Provider P1 always declines first (the competitor
# that declined); P2 is the provider whose offer goes through the state under test; P3 is next in the
# order of precedence and holds the offer after P2 declines or lets it expire; P4 has nothing to do
# with it (the unrelated provider). Every provider endpoint: the incident page, its attachments (one
# shared with the provider, one internal, one shared after the call-off reached the state under
# test), the call-off page and its parts, its documents, the provider's report, and the API.

STATES = ["offered", "accepted", "declined", "expired", "withdrawn", "completed", "closed"]
PROVIDER_PERSONAS = {"p1_declined": 0, "p2_subject": 1, "p3_next": 2, "p4_unrelated": 3}
#: What a provider sees: nothing (404), the decision data (the call-off and its API detail), or the
#: incident as well (after acceptance).
NOTHING = "nothing"
DECIDE = "decide"
ENGAGED = "engaged"
ENDED = "ended"  # its call-off is completed or closed: it keeps what it had, nothing new reaches it
WHO_SEES_WHAT = {
    "offered": {"p2_subject": DECIDE},
    "accepted": {"p2_subject": ENGAGED},
    "completed": {"p2_subject": ENDED},
    "closed": {"p2_subject": ENDED},
    "declined": {"p3_next": DECIDE},
    "expired": {"p3_next": DECIDE},
    "withdrawn": {},
}
#: endpoint → expected status for NOTHING / DECIDE / ENGAGED / ENDED
ENDPOINTS = {
    "incident": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "incident_attachment_shared": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "incident_attachment_internal": {NOTHING: 404, DECIDE: 404, ENGAGED: 404, ENDED: 404},
    "incident_attachment_shared_later": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 404},
    "calloff": {NOTHING: 404, DECIDE: 200, ENGAGED: 200, ENDED: 200},
    "calloff_live": {NOTHING: 404, DECIDE: 200, ENGAGED: 200, ENDED: 200},
    "calloff_documents": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "order_document": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "provider_report": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "aftercare_lessons": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "aftercare_nis2_draft": {NOTHING: 404, DECIDE: 404, ENGAGED: 404, ENDED: 404},
    "api_detail": {NOTHING: 404, DECIDE: 200, ENGAGED: 200, ENDED: 200},
    # Only its own entries are listed: none before acceptance (a call-off is never offered again once accepted).
    "api_time_entries": {NOTHING: 404, DECIDE: 200, ENGAGED: 200, ENDED: 200},
    "api_order_pdf": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "api_document_pdf": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    # Issue 18: the body's readiness profile from the acceptance (closed: for 14 days, just closed here).
    "api_readiness_profile": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    # Aftercare (issue 16): the findings and indicators of the incident, read and written by the
    # engaged provider only; a provider that was merely offered the call-off learns nothing of them.
    "aftercare_incident": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "aftercare_finding_new": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "aftercare_indicator_new": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "aftercare_finding_edit": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "aftercare_indicator_edit": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "aftercare_indicator_tlp": {NOTHING: 404, DECIDE: 404, ENGAGED: 403, ENDED: 403},
    "aftercare_export": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "api_findings": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "api_indicators": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "api_finding": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "api_indicator": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    # Measures and the reconnection gate: the engaged provider (also after the end of its call-off: it
    # verifies the body's measures afterwards); nobody else.
    "aftercare_measures": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "aftercare_measure_new": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "aftercare_measure": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "api_measures": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "api_measure": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    # Evidence on a finding: the provider that uploaded it (the engaged one) and the body, nobody else.
    "aftercare_evidence": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "aftercare_evidence_new": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "api_evidence_list": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "api_evidence": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
}


def _hand_on(calloff, setup, index, how):
    """The provider holding the offer (it must be provider ``index``) declines or lets it expire."""
    from datetime import timedelta

    from calloffs import services as calloff_services
    from calloffs.models import OfferState

    offer = calloff.offers.get(state=OfferState.OPEN)
    assert offer.provider_id == setup.providers[index].pk
    if how == "declined":
        calloff_services.offer_decline(
            calloff=calloff, provider=setup.providers[index], actor=setup.staff[index], reason="Keine Kapazität"
        )
    else:
        calloff_services.offer_expire(offer=offer, now=offer.respond_by + timedelta(seconds=1))
    calloff.refresh_from_db()
    return calloff


@pytest.fixture
def state_world(setup, file_calloff, alice, ministry, org_a):
    """state_world(state) → (call-off, objects by endpoint, a shared and an internal attachment)."""
    from datetime import timedelta

    import time_machine
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from aftercare import services as aftercare_services
    from calloffs import services as calloff_services
    from calloffs.services.api_keys import api_key_create
    from calloffs.services.attachments import attachment_add
    from calloffs.services.documents import document_render, document_request

    keys = [api_key_create(provider=p, actor=ministry, name="Ticketsystem").raw for p in setup.providers]

    from readiness.services import readiness_profile_save

    def build(state):
        readiness_profile_save(organisation=org_a, actor=alice, critical_systems="Meldewesen – hoch")
        calloff = _hand_on(file_calloff(), setup, 0, "declined")  # P1, the competitor, declines
        incident = calloff.incident
        shared, internal = (
            incident_services.attachment_add(
                incident=incident,
                actor=alice,
                uploaded_file=SimpleUploadedFile(name, b"Inhalt", content_type="text/plain"),
                shared_with_provider=flag,
            )
            for name, flag in (("fuer-dienstleister.txt", True), ("intern.txt", False))
        )
        order = report = finding = indicator = evidence = None
        if state in ("declined", "expired"):
            calloff = _hand_on(calloff, setup, 1, state)
        elif state == "withdrawn":
            calloff = calloff_services.calloff_cancel(calloff=calloff, actor=alice, reason="Fehlalarm")
        elif state in ("accepted", "completed", "closed"):
            p2, s2 = setup.providers[1], setup.staff[1]
            calloff = calloff_services.offer_accept(
                calloff=calloff, provider=p2, actor=s2, lead_name="Uwe Brandt", lead_phone="+49 221 7770220"
            )
            order = calloff.documents.filter(kind="order").first() or document_request(calloff=calloff, kind="order")
            document_render(document_id=order.pk)
            report = attachment_add(
                calloff=calloff,
                provider=p2,
                actor=s2,
                kind="report",
                upload=SimpleUploadedFile("bericht.txt", b"Bericht", content_type="text/plain"),
            )
            finding = aftercare_services.finding_create(
                calloff=calloff, actor=s2, title="Befund", description="D", category="phishing", severity="high"
            )
            indicator = aftercare_services.indicator_create(
                calloff=calloff, actor=s2, kind="domain", value="evil.example", tlp="green"
            )
            from aftercare.evidence.services import evidence_add

            evidence = evidence_add(finding=finding, actor=s2, upload=SimpleUploadedFile("log.txt", b"Inhalt"))
            if state in ("completed", "closed"):
                calloff = calloff_services.calloff_complete(calloff=calloff, provider=p2, actor=s2, summary="Fertig")
            if state == "closed":
                calloff = calloff_services.calloff_close(calloff=calloff, actor=alice)
        with time_machine.travel(timezone.now() + timedelta(minutes=5), tick=True):  # after the state was reached
            later = incident_services.attachment_add(
                incident=incident,
                actor=alice,
                uploaded_file=SimpleUploadedFile("spaeter.txt", b"Inhalt", content_type="text/plain"),
                shared_with_provider=True,
            )
        urls = {
            "incident": reverse("incidents:detail", args=[incident.public_id]),
            "incident_attachment_shared": reverse("incidents:attachment", args=[incident.public_id, shared.public_id]),
            "incident_attachment_internal": reverse(
                "incidents:attachment", args=[incident.public_id, internal.public_id]
            ),
            "incident_attachment_shared_later": reverse(
                "incidents:attachment", args=[incident.public_id, later.public_id]
            ),
            "calloff": reverse("calloffs:detail", args=[calloff.public_id]),
            "calloff_live": reverse("calloffs:live", args=[calloff.public_id]),
            "calloff_documents": reverse("calloffs:documents", args=[calloff.public_id]),
            "api_detail": reverse("api_v1:calloff-detail", kwargs={"id": calloff.public_id}),
            "api_time_entries": reverse("api_v1:calloff-time-entries", kwargs={"id": calloff.public_id}),
            "api_order_pdf": reverse("api_v1:calloff-order-pdf", kwargs={"id": calloff.public_id}),
            "api_readiness_profile": reverse("api_v1:calloff-readiness-profile", kwargs={"id": calloff.public_id}),
            "aftercare_incident": reverse("aftercare:incident", args=[incident.public_id]),
            "aftercare_finding_new": reverse("aftercare:finding_new", args=[calloff.public_id]),
            "aftercare_indicator_new": reverse("aftercare:indicator_new", args=[calloff.public_id]),
            "aftercare_export": reverse("aftercare:incident_export", args=[incident.public_id, "stix"]),
            "aftercare_lessons": reverse("aftercare:lessons_edit", args=[calloff.public_id]),
            "aftercare_nis2_draft": reverse("aftercare:nis2_draft", args=[incident.public_id]),
            "api_findings": reverse("aftercare_api:finding-list", kwargs={"id": calloff.public_id}),
            "api_indicators": reverse("aftercare_api:indicator-list", kwargs={"id": calloff.public_id}),
            "aftercare_measures": reverse("aftercare:measures", args=[incident.public_id]),
            "aftercare_measure_new": reverse("aftercare:measure_new", args=[calloff.public_id]),
            "api_measures": reverse("aftercare_api:measure-list", kwargs={"id": calloff.public_id}),
        }
        if finding is not None:
            urls["aftercare_finding_edit"] = reverse("aftercare:finding_edit", args=[finding.public_id])
            urls["aftercare_indicator_edit"] = reverse("aftercare:indicator_edit", args=[indicator.public_id])
            urls["aftercare_indicator_tlp"] = reverse("aftercare:indicator_tlp", args=[indicator.public_id])
            urls["aftercare_evidence"] = reverse("aftercare:evidence_download", args=[evidence.public_id])
            urls["aftercare_evidence_new"] = reverse("aftercare:evidence_new", args=[finding.public_id])
            urls["api_evidence_list"] = reverse(
                "aftercare_api:evidence-list", kwargs={"id": calloff.public_id, "item_id": finding.public_id}
            )
            urls["api_evidence"] = reverse(
                "aftercare_api:evidence-file",
                kwargs={"id": calloff.public_id, "item_id": finding.public_id, "evidence_id": evidence.public_id},
            )
            urls["api_finding"] = reverse(
                "aftercare_api:finding-detail", kwargs={"id": calloff.public_id, "item_id": finding.public_id}
            )
            urls["api_indicator"] = reverse(
                "aftercare_api:indicator-detail", kwargs={"id": calloff.public_id, "item_id": indicator.public_id}
            )
            measure = finding.measures.get()
            urls["aftercare_measure"] = reverse("aftercare:measure", args=[measure.public_id])
            urls["api_measure"] = reverse(
                "aftercare_api:measure-detail", kwargs={"id": calloff.public_id, "item_id": measure.public_id}
            )
        if order is not None:  # documents and reports exist only once a provider has accepted
            urls["order_document"] = reverse("calloffs:document_download", kwargs={"document_id": order.public_id})
            urls["api_document_pdf"] = reverse(
                "api_v1:calloff-document-pdf", kwargs={"id": calloff.public_id, "document_id": order.public_id}
            )
            urls["provider_report"] = reverse(
                "calloffs:attachment_download", args=[calloff.public_id, report.public_id]
            )
        return calloff, urls, keys

    return build


@pytest.mark.parametrize("state", STATES)
def test_call_off_states_by_provider_persona(state, state_world, setup):
    """Each state of the call-off × the competitor that declined, the provider it is about, the next
    provider and an unrelated one, over every page and API endpoint a provider can reach. Before the
    fix the offered provider (and, after a cancellation, the provider that had accepted) read the
    incident page and every attachment of the incident."""
    from rest_framework.test import APIClient

    calloff, urls, keys = state_world(state)
    problems = []
    for persona, index in PROVIDER_PERSONAS.items():
        sees = WHO_SEES_WHAT[state].get(persona, NOTHING)
        web = Client()
        web.force_login(setup.staff[index])
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {keys[index]}")
        for endpoint, url in urls.items():
            client = api if endpoint.startswith("api_") else web
            got = client.get(url).status_code
            if got != ENDPOINTS[endpoint][sees]:
                problems.append(
                    f"{state}: {persona} ({sees}) GET {endpoint}: expected {ENDPOINTS[endpoint][sees]}, got {got}"
                )
    assert not problems, "\n".join(problems)


#: Aftercare writes (POST a new indicator through the portal and the API) → expected status.
AFTERCARE_WRITES = {
    "portal": {NOTHING: 404, DECIDE: 404, ENGAGED: 302, ENDED: 302},
    "api": {NOTHING: 404, DECIDE: 404, ENGAGED: 201, ENDED: 201},
}


@pytest.mark.parametrize("state", STATES)
def test_aftercare_writes_by_provider_persona(state, state_world, setup):
    """Only the engaged provider records indicators on the call-off; the competitor that declined, a
    provider that was offered it (or let the offer expire) and an unrelated one get 404 (no leak)."""
    from rest_framework.test import APIClient

    from aftercare.models import Indicator

    calloff, _urls, keys = state_world(state)
    portal_url = reverse("aftercare:indicator_new", args=[calloff.public_id])
    api_url = reverse("aftercare_api:indicator-list", kwargs={"id": calloff.public_id})
    problems = []
    for persona, index in PROVIDER_PERSONAS.items():
        sees = WHO_SEES_WHAT[state].get(persona, NOTHING)
        web = Client()
        web.force_login(setup.staff[index])
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {keys[index]}")
        value = f"{persona.replace('_', '-')}.{state}.example"
        got = {
            "portal": web.post(portal_url, {"kind": "domain", "value": "web-" + value, "tlp": "green"}).status_code,
            "api": api.post(api_url, {"kind": "domain", "value": "api-" + value}, format="json").status_code,
        }
        for channel, status in got.items():
            expected = AFTERCARE_WRITES[channel][sees]
            if status != expected:
                problems.append(f"{state}: {persona} ({sees}) POST {channel}: expected {expected}, got {status}")
            written = Indicator.objects.filter(calloff=calloff, value=f"{channel.replace('portal', 'web')}-{value}")
            if written.exists() != (expected in (201, 302)):
                problems.append(f"{state}: {persona} ({sees}) POST {channel}: row written = {written.exists()}")
    assert not problems, "\n".join(problems)
