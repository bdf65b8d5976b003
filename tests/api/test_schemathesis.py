"""Schemathesis against /api/v1/schema/, in process through WSGI, with a valid provider key and
real call-offs: no 5xx, and no response that contradicts the schema (status code, content type,
headers, body). Bounded: a fixed number of examples per operation, positive and negative data.
"""

import itertools

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from calloffs import services
from tests.aftercare.conftest import FINDING

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = 12


@pytest.fixture
def wsgi_app():
    """The real WSGI handler, minus closing the DB connection after each request (as Django's test
    client does): on PostgreSQL that would close the connection holding the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def calloff_ids(file_calloff, setup, alice, org_a, body_admin):
    """Call-offs of provider P1 in different states: offered, accepted, completed; their body has a
    readiness profile (the accepting provider reads it). The accepted one carries a finding (with its
    measure and an evidence file), an indicator and a second measure marked done, so the item paths
    (GET/PATCH, verify, evidence) meet real rows: ``item_ids`` names them by the path's segment."""
    from readiness.services import readiness_profile_save

    readiness_profile_save(
        organisation=org_a,
        actor=alice,
        critical_systems=[{"name": "Meldewesen – hoch", "protection": "hoch"}],
        remote_access="vpn",
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    from readiness.services import readiness_network_overview_upload

    plan = SimpleUploadedFile("netzplan.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    readiness_network_overview_upload(organisation=org_a, actor=alice, upload=plan)
    p1, s1 = setup.providers[0], setup.staff[0]
    offered = file_calloff()
    accepted = services.offer_accept(
        calloff=file_calloff(), provider=p1, actor=s1, lead_name="Jana Keller", lead_phone="+49 211 5550110"
    )
    completed = services.offer_accept(
        calloff=file_calloff(), provider=p1, actor=s1, lead_name="Jana Keller", lead_phone="+49 211 5550110"
    )
    services.calloff_complete(calloff=completed, provider=p1, actor=s1, summary="Erledigt.")
    return [str(c.public_id) for c in (offered, accepted, completed)]


@pytest.fixture
def item_ids(calloff_ids, setup, body_admin):
    """Real rows on the accepted call-off (calloff_ids[1]) for the aftercare item paths."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from aftercare import services as aftercare
    from aftercare.evidence.services import evidence_add
    from aftercare.models import Measure
    from aftercare.remediation import services as remediation
    from calloffs.models import CallOff

    p1 = setup.staff[0]
    calloff = CallOff.objects.get(public_id=calloff_ids[1])
    finding = aftercare.finding_create(calloff=calloff, actor=p1, **FINDING)
    indicator = aftercare.indicator_create(calloff=calloff, actor=p1, kind="domain", value="evil.example")
    done = remediation.measure_create(calloff=calloff, actor=p1, finding=finding, title="Altkonten löschen")
    done = remediation.measure_done(measure=done, actor=body_admin, note="Gelöscht.")
    upload = SimpleUploadedFile("vpn.log", b"login from 203.0.113.7\n")
    evidence = evidence_add(finding=finding, actor=p1, upload=upload)
    return {
        "calloff": calloff_ids[1],
        "findings": [str(finding.public_id)],
        "indicators": [str(indicator.public_id)],
        # the finding's own measure (open) and the one marked done (verify meets it in the right state)
        "measures": [str(Measure.objects.exclude(pk=done.pk).get(finding=finding).public_id), str(done.public_id)],
        "evidence": [str(evidence.public_id)],
    }


def _real_item(path: str, item_ids: dict, counter) -> dict:
    """Path parameters naming real rows for an aftercare item path (else {})."""
    segments = path.strip("/").split("/")
    if "{item_id}" not in segments:
        return {}
    kind = segments[segments.index("{item_id}") - 1]
    if kind not in item_ids:
        return {}
    rows = item_ids[kind]
    params = {"id": item_ids["calloff"], "item_id": rows[next(counter) % len(rows)]}
    if "{evidence_id}" in segments:
        params["evidence_id"] = item_ids["evidence"][0]
    return params


@override_settings(API_RATE_LIMIT="100000/min")
def test_api_conforms_to_its_schema(keys, calloff_ids, item_ids, wsgi_app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", wsgi_app)
    headers = {"Authorization": f"Bearer {keys[0]}"}
    real_ids = itertools.cycle(calloff_ids)
    counter = itertools.count()
    statuses = set()
    operations = [result.ok() for result in schema.get_all_operations()]
    # The contract: 10 call-off paths (time-entries with GET and POST), the webhook endpoints (5) and the
    # aftercare paths (findings, indicators and measures: list, create, retrieve, update = 12, and a
    # measure's verify; evidence on a finding: list, upload, file = 3) and the statements (7: a call-off's
    # statements GET and POST, one statement, its answer, its XRechnung GET and PUT, its PDF view) and the
    # body's readiness profile (1) with its network overview (1).
    assert len(operations) == 41

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            def run(case):
                for use_real_id in (False, True):
                    if use_real_id and "id" in (case.path_parameters or {}):
                        real_item = _real_item(operation.path, item_ids, counter)
                        case.path_parameters.update(real_item or {"id": next(real_ids)})
                    response = case.call(headers={**(case.headers or {}), **headers})
                    statuses.add((operation.label, response.status_code))
                    case.validate_response(response, checks=CHECKS)

            run()

    # The run reached the handlers, not only the 401/404 paths.
    reached = {label for label, status in statuses if status < 300}
    assert {
        "GET /api/v1/calloffs/",
        "GET /api/v1/calloffs/{id}/",
        "GET /api/v1/calloffs/{id}/findings/",
        "GET /api/v1/calloffs/{id}/indicators/",
        "GET /api/v1/calloffs/{id}/measures/",
        "GET /api/v1/calloffs/{id}/readiness-profile/",
        # the item paths with real rows (issue 16)
        "GET /api/v1/calloffs/{id}/findings/{item_id}/",
        "PATCH /api/v1/calloffs/{id}/findings/{item_id}/",
        "GET /api/v1/calloffs/{id}/indicators/{item_id}/",
        "PATCH /api/v1/calloffs/{id}/indicators/{item_id}/",
        "GET /api/v1/calloffs/{id}/measures/{item_id}/",
        "PATCH /api/v1/calloffs/{id}/measures/{item_id}/",
        "POST /api/v1/calloffs/{id}/measures/{item_id}/verify/",
        "GET /api/v1/calloffs/{id}/findings/{item_id}/evidence/",
        "GET /api/v1/calloffs/{id}/findings/{item_id}/evidence/{evidence_id}/file/",
    } <= reached, sorted(statuses)
