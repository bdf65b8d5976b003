"""The call-off endpoints of the provider API: what each provider sees, every lifecycle step,
and the ownership rule (another provider's key, an expired or moved-on offer → 404)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from calloffs import services
from calloffs.models import CallOff, CallOffEvent, CallOffState, EventKind, Offer, OfferState, TimeEntry
from tests.api.conftest import ACCEPT, url

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def accepted(file_calloff, setup):
    calloff = file_calloff()
    return services.offer_accept(
        calloff=calloff, provider=setup.providers[0], actor=setup.staff[0], lead_name="A", lead_phone="+49 211 1"
    )


def expire(calloff) -> None:
    offer = Offer.objects.get(calloff=calloff, state=OfferState.OPEN)
    services.offer_expire(offer=offer, now=offer.respond_by + timedelta(seconds=1))


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"urn:digisos:problem:{code}"
    assert body["title"] and body["detail"]
    return body


# --- List -----------------------------------------------------------------------------------


def test_list_shows_offers_and_assignments_of_this_provider_only(api, file_calloff, setup):
    offered = file_calloff()
    mine = accepted(file_calloff, setup)
    declined_by_me = file_calloff()
    services.offer_decline(calloff=declined_by_me, provider=setup.providers[0], actor=setup.staff[0], reason="voll")

    body = api(0).get(url()).json()
    ids = [item["id"] for item in body["results"]]
    assert sorted(ids) == sorted([str(offered.public_id), str(mine.public_id)])
    by_id = {item["id"]: item for item in body["results"]}
    assert by_id[str(offered.public_id)]["offer"]["respond_by"]
    assert by_id[str(offered.public_id)]["assigned"] is False
    assert by_id[str(mine.public_id)]["offer"] is None
    assert by_id[str(mine.public_id)]["assigned"] is True

    other = api(1).get(url()).json()
    assert [item["id"] for item in other["results"]] == [str(declined_by_me.public_id)]
    assert api(2).get(url()).json()["count"] == 0


def test_list_is_ordered_by_updated_at_and_filters(api, file_calloff, setup):
    first = file_calloff()
    second = accepted(file_calloff, setup)
    third = file_calloff()
    results = api(0).get(url()).json()["results"]
    assert [r["id"] for r in results] == [str(c.public_id) for c in (first, second, third)]

    accepted_only = api(0).get(url(), {"state": "accepted"}).json()["results"]
    assert [r["id"] for r in accepted_only] == [str(second.public_id)]
    both = api(0).get(url() + "?state=accepted&state=offered").json()["count"]
    assert both == 3

    third.refresh_from_db()
    since = api(0).get(url(), {"updated_since": third.updated_at.isoformat()}).json()["results"]
    assert [r["id"] for r in since] == [str(third.public_id)]


def test_list_rejects_a_bad_filter_as_problem(api, setup):
    body = assert_problem(api(0).get(url(), {"updated_since": "gestern"}), 400, "invalid")
    assert "updated_since" in body["errors"]
    assert_problem(api(0).get(url(), {"state": "kaputt"}), 400, "invalid")


def test_list_is_paginated(api, file_calloff, setup):
    for _ in range(3):
        file_calloff()
    page = api(0).get(url(), {"page_size": 2}).json()
    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"]
    assert len(api(0).get(page["next"]).json()["results"]) == 1


@pytest.mark.parametrize("n", [5, 50])
def test_list_query_count_does_not_grow_with_page_size(api, file_calloff, setup, n, django_assert_num_queries):
    for _ in range(n):
        file_calloff()
    client = api(0)
    # the key's last_used_at is written once a minute, not on every request
    assert client.get(url()).status_code == 200
    # key lookup, count, page (with this provider's open offer joined)
    with django_assert_num_queries(3):
        response = client.get(url(), {"page_size": n})
    assert response.status_code == 200
    assert len(response.json()["results"]) == n


def test_a_first_page_that_is_not_full_is_counted_without_count(api, file_calloff, setup, django_assert_num_queries):
    """The poll's usual answer (fewer rows than a page): the rows are the count (issue 19)."""
    for _ in range(3):
        file_calloff()
    client = api(0)
    assert client.get(url()).status_code == 200  # the key's last_used_at is written once a minute
    with django_assert_num_queries(2):  # key lookup, page
        page = client.get(url(), {"page_size": 50}).json()
    assert page["count"] == 3 and len(page["results"]) == 3 and page["next"] is None and page["previous"] is None
    with django_assert_num_queries(2):
        empty = client.get(url(), {"state": "closed"}).json()
    assert empty == {"count": 0, "next": None, "previous": None, "results": []}


@pytest.mark.parametrize("page", ["2", "0", "-1", "x", "1.5", "99999999999999999999999", "last"])
def test_other_page_numbers_are_checked_as_before(api, file_calloff, setup, page):
    file_calloff()
    response = api(0).get(url(), {"page": page})
    if page == "last":
        assert response.status_code == 200 and response.json()["count"] == 1
    else:
        assert_problem(response, 404, "not_found")


def test_list_rows_equal_the_documented_serializer(api, keys, file_calloff, setup):
    """The list is built from plain rows for speed; it must say exactly what CallOffListSerializer says."""
    from django.db.models import Prefetch
    from rest_framework.test import APIRequestFactory

    from calloffs.api.serializers import CallOffListSerializer
    from calloffs.models import ProviderApiKey
    from calloffs.services.api_keys import hash_key

    file_calloff()
    accepted(file_calloff, setup)
    declined = file_calloff()
    services.offer_decline(calloff=declined, provider=setup.providers[0], actor=setup.staff[0], reason="voll")
    fast = api(1).get(url()).json()["results"] + api(0).get(url()).json()["results"]

    expected = []
    for index in (1, 0):
        key = ProviderApiKey.objects.get(hash=hash_key(keys[index]))
        request = APIRequestFactory().get(url())
        request.auth = key
        calloffs = (
            CallOff.objects.visible_to(key.account)
            .select_related("organisation")
            .prefetch_related(
                Prefetch(
                    "offers",
                    queryset=Offer.objects.filter(provider=key.provider, state=OfferState.OPEN),
                    to_attr="open_offers_for_provider",
                )
            )
            .order_by("updated_at", "id")
        )
        expected += CallOffListSerializer(calloffs, many=True, context={"request": request}).data
    assert fast == [dict(row) for row in expected]
    assert len(fast) == 3


# --- Detail ---------------------------------------------------------------------------------


def test_detail_shows_contact_only_once_accepted(api, file_calloff, setup):
    calloff = file_calloff()
    body = api(0).get(url(calloff)).json()
    assert body["contact"] is None and body["lead"] is None
    assert body["body"]["name"] == "Stadt A" and body["body"]["ags"]
    assert body["services"] == [{"code": "IR-REMOTE", "name": "Remote", "unit": "hour", "estimated_quantity": "40.00"}]
    assert "callback_phone" not in str(body)

    response = api(0).post(url(calloff, "accept/"), ACCEPT, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "accepted" and body["assigned"] is True
    assert body["contact"]["callback_phone"] == "+49 171 1234567"
    assert body["lead"]["lead_name"] == "Jana Keller"
    assert body["sla"]["callback_due_at"]


def test_detail_hides_other_providers_steps(api, file_calloff, setup):
    calloff = file_calloff()
    services.offer_decline(calloff=calloff, provider=setup.providers[0], actor=setup.staff[0], reason="Geheim")
    body = api(1).get(url(calloff)).json()
    kinds = [e["kind"] for e in body["events"]]
    assert "declined" not in kinds and "Geheim" not in str(body)
    assert kinds.count("offered") == 1  # only the offer to P2


# --- Ownership: another provider's key, expired and moved-on offers → 404 ---------------------

ENDPOINTS = [
    ("get", ""),
    ("post", "accept/"),
    ("post", "decline/"),
    ("post", "updates/"),
    ("get", "time-entries/"),
    ("post", "time-entries/"),
    ("post", "attachments/"),
    ("post", "complete/"),
    ("get", "order.pdf"),
]
BODIES = {
    "accept/": ACCEPT,
    "decline/": {"reason": "x"},
    "updates/": {"kind": "note", "text": "x"},
    "time-entries/": {"date": "2025-01-01", "hours": "1", "role": "x", "description": "x"},
    "complete/": {"summary": "x"},
}


def call(client, method, calloff, suffix):
    if method == "get":
        return client.get(url(calloff, suffix))
    if suffix == "attachments/":
        return client.post(url(calloff, suffix), {"kind": "report", "file": b""}, format="multipart")
    return client.post(url(calloff, suffix), BODIES[suffix], format="json")


@pytest.mark.parametrize(("method", "suffix"), ENDPOINTS)
def test_it_checks_ownership(api, file_calloff, setup, method, suffix):
    offered = file_calloff()
    assigned = accepted(file_calloff, setup)
    for calloff in (offered, assigned):
        assert_problem(call(api(1), method, calloff, suffix), 404, "not_found")
    before = CallOffEvent.objects.count()
    assert_problem(call(api(1), method, offered, suffix), 404, "not_found")
    assert CallOffEvent.objects.count() == before


@pytest.mark.parametrize(("method", "suffix"), ENDPOINTS)
def test_an_expired_offer_is_gone(api, file_calloff, setup, method, suffix):
    calloff = file_calloff()
    expire(calloff)  # moved on to P2
    assert_problem(call(api(0), method, calloff, suffix), 404, "not_found")
    assert api(1).get(url(calloff)).status_code == 200


@pytest.mark.parametrize(("method", "suffix"), ENDPOINTS)
def test_an_unknown_or_malformed_id_is_404(api, setup, method, suffix):
    class Fake:
        public_id = "00000000-0000-0000-0000-000000000000"

    assert_problem(call(api(0), method, Fake, suffix), 404, "not_found")
    Fake.public_id = "not-a-uuid"
    assert_problem(call(api(0), method, Fake, suffix), 404, "not_found")


def test_an_unknown_path_is_a_404_problem(api, setup):
    from rest_framework.test import APIClient

    assert_problem(api(0).get("/api/v1/nothing/here/"), 404, "not_found")
    strict = APIClient(enforce_csrf_checks=True)
    assert_problem(strict.post("/api/v1/calloffs//accept/", {}, format="json"), 404, "not_found")


# --- Accept and decline ---------------------------------------------------------------------


def test_accept_conflicts_once_the_offer_is_no_longer_open(api, file_calloff, setup):
    calloff = file_calloff()
    assert api(0).post(url(calloff, "accept/"), ACCEPT, format="json").status_code == 200
    # Still visible (assigned), but there is no open offer any more.
    assert_problem(api(0).post(url(calloff, "accept/"), ACCEPT, format="json"), 409, "offer_not_open")
    assert_problem(api(0).post(url(calloff, "decline/"), {"reason": "x"}, format="json"), 409, "offer_not_open")
    assert Offer.objects.get(calloff=calloff).state == OfferState.ACCEPTED


def test_the_compiled_accept_lock_keeps_each_accounts_scope(api, file_calloff, setup):
    # The accept locks through SQL compiled once per account's scope (views._SCOPED_LOCKS): a second
    # accept of the same account runs it again with another id and still sees only its own scope.
    first, second, third = file_calloff(), file_calloff(), file_calloff()  # each offered to P1
    outsider = api(1)
    assert_problem(outsider.post(url(first, "accept/"), ACCEPT, format="json"), 404, "not_found")
    assert_problem(outsider.post(url(second, "accept/"), ACCEPT, format="json"), 404, "not_found")
    assert api(0).post(url(first, "accept/"), ACCEPT, format="json").status_code == 200
    assert api(0).post(url(second, "accept/"), ACCEPT, format="json").status_code == 200
    assert_problem(outsider.post(url(third, "accept/"), ACCEPT, format="json"), 404, "not_found")
    assert_problem(outsider.post(url(first, "accept/"), ACCEPT, format="json"), 404, "not_found")  # P1's now
    assert_problem(api(0).post(url(first, "accept/"), ACCEPT, format="json"), 409, "offer_not_open")
    assert [CallOff.objects.get(pk=c.pk).state for c in (first, second, third)] == [
        CallOffState.ACCEPTED,
        CallOffState.ACCEPTED,
        CallOffState.OFFERED,
    ]


def test_accept_validates_input(api, file_calloff, setup):
    calloff = file_calloff()
    body = assert_problem(api(0).post(url(calloff, "accept/"), {}, format="json"), 400, "invalid")
    assert set(body["errors"]) == {"lead_name", "lead_phone"}
    body = assert_problem(
        api(0).post(url(calloff, "accept/"), {**ACCEPT, "lead_phone": "abc"}, format="json"), 400, "invalid"
    )
    assert "lead_phone" in body["errors"]
    assert CallOff.objects.get(pk=calloff.pk).state == CallOffState.OFFERED


def test_decline_moves_the_offer_on(api, file_calloff, setup):
    calloff = file_calloff()
    response = api(0).post(url(calloff, "decline/"), {"reason": "Keine Kapazität"}, format="json")
    assert response.status_code == 200
    assert response.json() == {"id": str(calloff.public_id), "number": calloff.number, "declined": True, "drill": False}
    assert Offer.objects.get(calloff=calloff, provider=setup.providers[0]).state == OfferState.DECLINED
    assert api(0).get(url(calloff)).status_code == 404
    assert api(1).get(url(calloff)).json()["offer"]
    assert_problem(api(0).post(url(calloff, "decline/"), {"reason": ""}, format="json"), 404, "not_found")


def test_decline_requires_a_reason(api, file_calloff, setup):
    calloff = file_calloff()
    body = assert_problem(api(0).post(url(calloff, "decline/"), {"reason": "  "}, format="json"), 400, "invalid")
    assert "reason" in body["errors"]


# --- Progress, proof of work, completion ----------------------------------------------------


def test_updates_record_a_milestone_and_stop_its_clock(api, file_calloff, setup):
    calloff = accepted(file_calloff, setup)
    response = api(0).post(url(calloff, "updates/"), {"kind": "callback_made", "text": "Rückruf an IT"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "callback_made"
    calloff.refresh_from_db()
    assert calloff.callback_made_at is not None
    assert_problem(
        api(0).post(url(calloff, "updates/"), {"kind": "callback_made"}, format="json"), 409, "transition_not_allowed"
    )
    assert_problem(api(0).post(url(calloff, "updates/"), {"kind": "note"}, format="json"), 400, "invalid")
    assert_problem(api(0).post(url(calloff, "updates/"), {"kind": "party"}, format="json"), 400, "invalid")


def test_updates_need_an_assignment(api, file_calloff, setup):
    calloff = file_calloff()  # offered, visible, not assigned
    assert_problem(
        api(0).post(url(calloff, "updates/"), {"kind": "note", "text": "x"}, format="json"), 403, "not_permitted"
    )


def entry(**overrides):
    return {
        "date": timezone.localdate().isoformat(),
        "hours": "7.5",
        "role": "Lead Incident Handler",
        "service_module": "IR-REMOTE",
        "description": "Analyse der Firewall-Logs",
        **overrides,
    }


def test_time_entries_are_recorded_and_listed(api, file_calloff, setup):
    calloff = accepted(file_calloff, setup)
    response = api(0).post(url(calloff, "time-entries/"), entry(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["hours"] == "7.50" and body["value"] == "1875.00" and body["confirmed"] is False
    assert body["role"] == "Lead Incident Handler" and body["service_module"] == "IR-REMOTE"
    listed = api(0).get(url(calloff, "time-entries/")).json()
    assert [e["id"] for e in listed] == [body["id"]]
    assert TimeEntry.objects.get().created_by.api_keys.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"hours": "0"}, "hours"),
        ({"hours": "-1"}, "hours"),
        ({"hours": "24.25"}, "hours"),
        ({"date": (timezone.localdate() + timedelta(days=1)).isoformat()}, "date"),
        ({"date": (timezone.localdate() - timedelta(days=30)).isoformat()}, "date"),
        ({"role": "Praktikant"}, "role"),
        ({"service_module": "NOPE"}, "service_module"),
        ({"description": ""}, "description"),
    ],
)
def test_time_entries_enforce_the_rules(api, file_calloff, setup, overrides, field):
    calloff = accepted(file_calloff, setup)
    body = assert_problem(api(0).post(url(calloff, "time-entries/"), entry(**overrides), format="json"), 400, "invalid")
    assert field in body["errors"]
    assert not TimeEntry.objects.exists()


def test_time_entry_of_24_hours_is_allowed(api, file_calloff, setup):
    calloff = accepted(file_calloff, setup)
    assert api(0).post(url(calloff, "time-entries/"), entry(hours="24"), format="json").status_code == 201


def test_time_entries_need_an_assignment(api, file_calloff, setup):
    calloff = file_calloff()
    assert api(0).get(url(calloff, "time-entries/")).json() == []
    assert_problem(api(0).post(url(calloff, "time-entries/"), entry(), format="json"), 403, "not_permitted")


def test_complete(api, file_calloff, setup):
    calloff = accepted(file_calloff, setup)
    assert_problem(api(0).post(url(calloff, "complete/"), {"summary": ""}, format="json"), 400, "invalid")
    response = api(0).post(url(calloff, "complete/"), {"summary": "Systeme bereinigt."}, format="json")
    assert response.status_code == 200
    assert response.json()["state"] == "completed"
    assert response.json()["completion_summary"] == "Systeme bereinigt."
    assert_problem(
        api(0).post(url(calloff, "complete/"), {"summary": "nochmal"}, format="json"), 409, "transition_not_allowed"
    )
    assert CallOffEvent.objects.filter(calloff=calloff, kind=EventKind.COMPLETED).count() == 1


def test_order_pdf_is_not_available_before_it_is_issued(api, file_calloff, setup):
    calloff = file_calloff()
    assert_problem(api(0).get(url(calloff, "order.pdf")), 404, "not_available")


def test_order_pdf_once_issued_for_the_assigned_provider_only(api, file_calloff, setup):
    import hashlib

    from calloffs.models import DocumentKind
    from calloffs.services.documents import document_mark_ready, document_mark_started, document_request

    calloff = accepted(file_calloff, setup)
    pdf = b"%PDF-1.7\n% order\n%%EOF\n"
    document = document_request(calloff=calloff, kind=DocumentKind.ORDER)
    document_mark_started(document_id=document.pk)
    assert document_mark_ready(document_id=document.pk, pdf=pdf)
    response = api(0).get(url(calloff, "order.pdf"), HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == pdf
    assert response["X-Content-SHA256"] == hashlib.sha256(pdf).hexdigest()
    assert_problem(api(1).get(url(calloff, "order.pdf")), 404, "not_found")
    # A problem is still JSON when the client asked for a PDF.
    other = file_calloff()
    response = api(0).get(url(other, "order.pdf"), HTTP_ACCEPT="application/pdf")
    assert_problem(response, 404, "not_available")


@pytest.mark.parametrize(
    "value", ["3581-08-26T20:47:58.2+22:31", "2025-04-01T08:00:00-23:59", "0001-01-01T00:00:00+05:00"]
)
def test_updated_since_with_extreme_offsets(api, file_calloff, setup, value):
    """ISO allows offsets PostgreSQL does not (found by Schemathesis on PostgreSQL): normalised to UTC."""
    file_calloff()
    response = api(0).get(url(), {"updated_since": value})
    assert response.status_code in (200, 400), response.content
    if response.status_code == 400:
        assert "updated_since" in response.json()["errors"]


def test_the_api_and_the_webhooks_write_times_alike(api, keys, file_calloff, setup):
    """One RFC 3339 form on the wire: UTC, seconds, Z (docs/PROVIDER_API.md, "Times")."""
    import re

    from calloffs.models import CallOffEvent
    from calloffs.services.notify import webhook_payload

    wire = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
    calloff = file_calloff()
    detail = api(0).get(f"/api/v1/calloffs/{calloff.public_id}/").json()
    listed = api(0).get("/api/v1/calloffs/").json()["results"][0]
    event = CallOffEvent.objects.filter(calloff=calloff).latest("id")
    payload = webhook_payload(event_type="offer.created", calloff=calloff, event=event)
    for value in (detail["submitted_at"], detail["updated_at"], listed["offer"]["respond_by"], payload["timestamp"]):
        assert wire.match(value), value
    assert payload["data"]["event"]["at"] == payload["timestamp"]


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"state": "offered"},
        {"state": ["offered", "accepted"], "page_size": 2},
        {"priority": "P1"},
        {"priority": "p1"},
        {"state": "x"},
        "since",
    ],
)
def test_the_poll_through_its_compiled_sql_answers_as_the_queryset_does(api, file_calloff, setup, query):
    """The list's first page runs SQL compiled before for the same key (issue 19): the same answer
    as the queryset built afresh, for each provider its own, with a new updated_since each time."""
    from calloffs.api.views import LIST_PAGES

    first = file_calloff()
    accepted(file_calloff, setup)
    file_calloff()
    for round_ in range(3):
        if query == "since":
            params = {"updated_since": (first.updated_at - timedelta(minutes=round_)).isoformat()}
        else:
            params = query
        for index in (0, 1):
            LIST_PAGES._compiled.clear()
            fresh = api(index).get(url(), params)
            again = api(index).get(url(), params)  # through the compiled SQL
            assert (
                fresh.status_code
                == again.status_code
                == (400 if query in ({"priority": "p1"}, {"state": "x"}) else 200)
            )
            assert fresh.content == again.content
            assert bool(any(LIST_PAGES._compiled.values())) == (fresh.status_code == 200)
    if query in ({}, "since"):  # provider 0 accepted one: the two answers differ
        assert api(0).get(url(), params).json() != api(1).get(url(), params).json()


def test_the_accepts_answer_is_the_detail_as_read_afterwards(api, file_calloff, setup):
    # The accept answers from SQL compiled once (services, events, documents): the same as a read.
    # P1 declines (its step is hidden from P2), the offer moves on to P2, which accepts.
    calloff = file_calloff()
    services.offer_decline(calloff=calloff, provider=setup.providers[0], actor=setup.staff[0], reason="Geheim")
    client = api(1)
    accepted = client.post(url(calloff, "accept/"), ACCEPT, format="json")
    assert accepted.status_code == 200
    assert accepted.json() == client.get(url(calloff)).json()
    assert accepted.json()["events"] and "Geheim" not in str(accepted.json())
