"""Schemathesis with two providers' keys: every operation, positive and negative data, each key also
trying the other provider's call-off and webhook ids. No 5xx, no response that contradicts the
schema, and no response to one provider that contains anything of the other's: call-off ids and
numbers, offer ids, webhook endpoint ids and URLs (a leak would be a tenant breach, whatever the status).
"""

from __future__ import annotations

import itertools
import json
from urllib.parse import unquote

import pytest
import schemathesis
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode

from calloffs import services
from notifications.models import WebhookEndpoint
from tests.api.test_schemathesis import CHECKS, wsgi_app  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

EXAMPLES = 6
LEAD = {"lead_name": "Jana Keller", "lead_phone": "+49 211 5550110"}


def _secrets(calloffs, endpoint) -> set[str]:
    out = {endpoint.url, str(endpoint.public_id)}
    for calloff in calloffs:
        out |= {str(calloff.public_id), calloff.number}
        out |= {str(offer.public_id) for offer in calloff.offers.all()}
    return out


def _without_own_path(text: str, path: str) -> str:
    """The body without the client's own path. ``instance`` holds it as the server read it: percent-decoded
    and JSON-escaped (a generated ``item_id`` like ``Über%20x`` does not appear verbatim), so compare decoded."""
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict) and parsed.get("instance") in (path, unquote(path)):
        parsed.pop("instance")
        text = json.dumps(parsed, ensure_ascii=False)
    return text.replace(path, "")


@pytest.fixture
def tenants(file_calloff, setup):
    """P1's call-offs (offered, accepted, completed; never offered to P2) and P2's (offered to P2 after
    P1 declined, so P1 no longer sees them; one accepted), and a webhook endpoint each."""
    p1, s1, p2, s2 = setup.providers[0], setup.staff[0], setup.providers[1], setup.staff[1]
    offered_1 = file_calloff()
    accepted_1 = services.offer_accept(calloff=file_calloff(), provider=p1, actor=s1, **LEAD)
    completed_1 = services.offer_accept(calloff=file_calloff(), provider=p1, actor=s1, **LEAD)
    services.calloff_complete(calloff=completed_1, provider=p1, actor=s1, summary="Erledigt.")
    offered_2 = services.offer_decline(calloff=file_calloff(), provider=p1, actor=s1, reason="Keine Kapazität")
    accepted_2 = services.offer_decline(calloff=file_calloff(), provider=p1, actor=s1, reason="Keine Kapazität")
    accepted_2 = services.offer_accept(calloff=accepted_2, provider=p2, actor=s2, **LEAD)
    hook_1 = WebhookEndpoint.objects.create(owner=p1, url="https://p1.example/hooks/geheim-p1")
    hook_2 = WebhookEndpoint.objects.create(owner=p2, url="https://p2.example/hooks/geheim-p2")
    return {
        0: {"ids": [offered_1, accepted_1, completed_1], "hook": hook_1},
        1: {"ids": [offered_2, accepted_2], "hook": hook_2},
    }


@override_settings(API_RATE_LIMIT="100000/min")
@pytest.mark.parametrize("me,other", [(1, 0), (0, 1)], ids=["key-B-probes-A", "key-A-probes-B"])
def test_one_provider_never_sees_the_other(keys, tenants, wsgi_app, me, other):  # noqa: F811
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", wsgi_app)
    headers = {"Authorization": f"Bearer {keys[me]}"}
    mine, theirs = tenants[me], tenants[other]
    forbidden = _secrets(theirs["ids"], theirs["hook"])
    own = _secrets(mine["ids"], mine["hook"])
    seen_own: set[str] = set()
    # Ids to put into the path: the other's (must be 404) and my own (must work), in turn.
    calloff_ids = itertools.cycle([str(c.public_id) for c in theirs["ids"] + mine["ids"]])
    hook_ids = itertools.cycle([str(theirs["hook"].public_id), str(mine["hook"].public_id)])
    leaks, statuses = [], set()

    for operation in [result.ok() for result in schema.get_all_operations()]:
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
                        ids = hook_ids if "/webhooks/" in operation.path else calloff_ids
                        case.path_parameters["id"] = next(ids)
                    response = case.call(headers={**(case.headers or {}), **headers})
                    statuses.add((operation.label, response.status_code))
                    case.validate_response(response, checks=CHECKS)
                    # A problem's ``instance`` echoes the path the client itself asked for: not a leak.
                    body = _without_own_path(response.content.decode("utf-8", "replace"), case.formatted_path)
                    leaked = sorted(s for s in forbidden if s in body)
                    seen_own.update(s for s in own if s in body)
                    if leaked:
                        leaks.append(f"{operation.label} → {response.status_code}: {leaked}")

            run()

    assert not leaks, "\n".join(leaks[:20])
    # The same scan does find what this provider may see (the check can fail).
    assert {c.number for c in mine["ids"]} <= seen_own, sorted(seen_own)
    reached = {label for label, status in statuses if status < 300}
    assert {"GET /api/v1/calloffs/", "GET /api/v1/calloffs/{id}/", "GET /api/v1/webhooks/"} <= reached, sorted(statuses)
    # The other provider's ids were tried, and answered 404.
    assert ("GET /api/v1/calloffs/{id}/", 404) in statuses


METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@override_settings(API_RATE_LIMIT="100000/min")
def test_methods_the_schema_does_not_declare_are_405_for_both_keys(keys, tenants, wsgi_app):  # noqa: F811
    """Every path of the schema, every method it does not declare there, with each key and with both
    providers' ids: 405 problem+json whose Allow names exactly the declared methods (and HEAD with GET),
    never a 500 and nothing of either provider in the body."""
    from werkzeug.test import Client

    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", wsgi_app)
    client = Client(wsgi_app)
    secrets = set()
    for side in tenants.values():
        secrets |= _secrets(side["ids"], side["hook"])
    tried, problems = 0, []
    for path, item in schema.raw_schema["paths"].items():
        declared = {m for m in item if m in METHODS}
        allowed = {m.upper() for m in declared} | ({"HEAD"} if "get" in declared else set())
        if "{id}" in path:
            hooks = [str(t["hook"].public_id) for t in tenants.values()]
            calloffs = [str(c.public_id) for t in tenants.values() for c in t["ids"]]
            concrete = [path.replace("{id}", i) for i in (hooks if "/webhooks/" in path else calloffs)]
        else:
            concrete = [path]
        for method in sorted(set(METHODS) - declared - {"head"}):
            for key in keys[:2]:
                for url in concrete:
                    response = client.open(url, method=method.upper(), headers={"Authorization": f"Bearer {key}"})
                    tried += 1
                    body = response.get_data(as_text=True).replace(url, "")  # ``instance`` echoes the path
                    got = {m.strip() for m in response.headers.get("Allow", "").split(",") if m.strip()}
                    if (
                        response.status_code != 405
                        or response.headers.get("Content-Type") != "application/problem+json"
                        or got != allowed
                        or any(s in body for s in secrets)
                    ):
                        problems.append(f"{method.upper()} {url} → {response.status_code} Allow={sorted(got)}")
    assert tried > 50
    assert not problems, "\n".join(problems[:20])
