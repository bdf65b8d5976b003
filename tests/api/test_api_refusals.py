"""Issue 14 (Low): methods the API does not offer, deeply nested JSON and non-finite numbers are
refused cleanly as problem+json, never a 500 (before: 500 HTML "declares no API permission",
RecursionError, a number 1e999999 read as infinity)."""

import json

import pytest

from calloffs.models import CallOff, TimeEntry
from tests.api.conftest import ACCEPT, url
from tests.api.test_calloffs_api import accepted

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["code"] == code
    return body


@pytest.mark.parametrize(
    ("method", "suffix", "allowed"),
    [
        ("delete", "", {"GET"}),
        ("put", "", {"GET"}),
        ("patch", "", {"GET"}),
        ("options", "", {"GET"}),
        ("trace", "", {"GET"}),
        ("get", "accept/", {"POST"}),
        ("get", "decline/", {"POST"}),
        ("get", "updates/", {"POST"}),
        ("get", "attachments/", {"POST"}),
        ("get", "complete/", {"POST"}),
        ("delete", "time-entries/", {"GET", "POST"}),
        ("put", "accept/", {"POST"}),
        ("options", "accept/", {"POST"}),
        ("delete", "order.pdf", {"GET"}),
    ],
)
def test_a_method_the_api_does_not_offer_is_405_with_allow(api, file_calloff, method, suffix, allowed):
    calloff = file_calloff()
    response = getattr(api(0), method)(url(calloff, suffix))
    body = assert_problem(response, 405, "method_not_allowed")
    assert {m.strip() for m in response["Allow"].split(",")} - {"HEAD"} == allowed
    assert body["detail"]


@pytest.mark.parametrize("method", ["delete", "put", "options", "trace"])
def test_the_list_and_the_webhooks_refuse_undeclared_methods(api, setup, method):
    for path in ("/api/v1/calloffs/", "/api/v1/webhooks/"):
        response = getattr(api(0), method)(path)
        assert_problem(response, 405, "method_not_allowed")
        assert "GET" in response["Allow"] and "POST" not in response["Allow"].split(", ") or path.endswith("webhooks/")


def test_an_undeclared_method_without_a_key_is_still_a_problem_not_a_500(api, file_calloff):
    calloff = file_calloff()
    response = api(None).delete(url(calloff))
    assert response.status_code in (401, 405)
    assert response["Content-Type"] == PROBLEM


def test_deeply_nested_json_is_400(api, file_calloff):
    calloff = file_calloff()
    body = "[" * 100_000 + "]" * 100_000
    response = api(0).post(url(calloff, "accept/"), body, content_type="application/json")
    assert_problem(response, 400, "parse_error")
    assert CallOff.objects.get(pk=calloff.pk).provider_id is None


@pytest.mark.parametrize("number", ["1e999999", "-1e999999", "NaN", "Infinity", "-Infinity"])
def test_a_non_finite_number_is_refused(api, file_calloff, setup, number):
    calloff = accepted(file_calloff, setup)
    day = calloff.submitted_at.date().isoformat()
    raw = f'{{"date": "{day}", "hours": {number}, "role": "Lead Incident Handler", "description": "x"}}'
    response = api(0).post(url(calloff, "time-entries/"), raw, content_type="application/json")
    assert_problem(response, 400, "parse_error")
    assert not TimeEntry.objects.exists()


def test_a_huge_integer_is_refused_not_a_500(api, file_calloff):
    calloff = file_calloff()
    raw = json.dumps({**ACCEPT, "note": "x"})[:-1] + ', "x": ' + "9" * 50_000 + "}"
    response = api(0).post(url(calloff, "accept/"), raw, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == PROBLEM
