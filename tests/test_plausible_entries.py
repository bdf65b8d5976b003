"""Issue 14 (High): a year-1 date took down the ministry's pages. Every date and time a person or
provider enters is checked against digisos.plausible in the form, the serializer and the service,
and the database refuses what slipped through; the pages that list such rows answer 200."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from calloffs import services
from calloffs.errors import InvalidInput
from calloffs.models import CallOff, TimeEntry
from calloffs.services.api_keys import api_key_create
from incidents import services as incident_services
from incidents.models import Incident, TimelineEntry

pytestmark = pytest.mark.django_db

YEAR_ONE = "0001-01-01T00:00"
PROBLEM = "application/problem+json"


def filing_data(setup, org, **overrides):
    data = {
        "client_token": str(uuid.uuid4()),
        "organisation": str(org.public_id),
        "category": "ransomware",
        "operations_halted": "yes",
        "situation": "Server verschlüsselt, Erpresserschreiben.",
        "affected": "Fileserver",
        f"module_{setup.modules.remote.pk}": "16",
        "place_of_performance": "Rathaus",
        "callback_phone": "+49 171 2223334",
        "callback_email": "notfall@example.org",
    }
    data.update(overrides)
    return data


def pages(setup):
    return [
        reverse("calloffs:list"),
        reverse("incidents:list"),
        reverse("calloffs:situation"),
        reverse("calloffs:monthly_report_csv"),
    ]


def assert_pages_answer(client_for, setup, users, ministry):
    for user in [*users, ministry]:
        client = client_for(user)
        for page in pages(setup):
            response = client.get(page)
            assert response.status_code < 500, (user, page, response.status_code)
            if user == ministry:
                assert response.status_code == 200, (page, response.status_code)


@pytest.mark.parametrize("value", [YEAR_ONE, "1999-12-31T23:59", "9999-12-31T23:59"])
def test_a_filing_with_an_implausible_detected_at_is_refused_and_keeps_the_input(
    client_for, setup, alice, org_a, value
):
    response = client_for(alice).post(reverse("calloffs:create"), filing_data(setup, org_a, detected_at=value))
    assert response.status_code == 400
    content = response.content.decode()
    assert f'value="{value}"' in content
    assert "Server verschlüsselt, Erpresserschreiben." in content
    assert "2000" in content or "Zukunft" in content
    assert not CallOff.objects.exists()


def test_the_filing_service_refuses_a_year_one_detected_at_whatever_the_form(file_calloff):
    with pytest.raises(InvalidInput) as err:
        file_calloff(detected_at=dt.datetime(1, 1, 1, 12, tzinfo=dt.UTC))
    assert err.value.field == "detected_at"
    assert not CallOff.objects.exists()


def test_a_filing_at_the_lower_end_of_the_range_keeps_every_page_answering(
    client_for, setup, alice, org_a, ministry, file_calloff
):
    response = client_for(alice).post(
        reverse("calloffs:create"), filing_data(setup, org_a, detected_at="2000-01-01T00:00")
    )
    assert response.status_code == 302
    assert_pages_answer(client_for, setup, [alice, setup.staff[0]], ministry)


@pytest.mark.parametrize("field", ["first_detected_at", "became_aware_at"])
def test_the_incident_edit_refuses_a_year_one_date(client_for, file_calloff, alice, field):
    calloff = file_calloff()
    incident = calloff.incident
    data = {
        "title": incident.title,
        "category": incident.category,
        "first_detected_at": "2025-01-01T08:00",
        "became_aware_at": "2025-01-01T09:00",
        "affected_systems": "",
        "personal_data_affected": "unknown",
        field: YEAR_ONE,
    }
    response = client_for(alice).post(reverse("incidents:edit", args=[incident.public_id]), data)
    assert response.status_code == 200
    assert f'value="{YEAR_ONE}"' in response.content.decode()
    incident.refresh_from_db()
    assert getattr(incident, field) is None or getattr(incident, field).year >= 2000


def test_the_incident_service_refuses_a_year_one_date(file_calloff, alice):
    from django.core.exceptions import ValidationError

    incident = file_calloff().incident
    with pytest.raises(ValidationError):
        incident_services.incident_update(
            incident=incident, actor=alice, became_aware_at=dt.datetime(1, 1, 1, tzinfo=dt.UTC)
        )
    with pytest.raises(ValidationError):
        incident_services.incident_add_note(
            incident=incident, actor=alice, text="x", at=dt.datetime(1, 1, 1, tzinfo=dt.UTC)
        )


def test_a_timeline_note_with_a_year_one_date_is_refused(client_for, file_calloff, alice):
    incident = file_calloff().incident
    before = TimelineEntry.objects.count()
    response = client_for(alice).post(
        reverse("incidents:action", args=[incident.public_id, "note"]), {"text": "Notiz", "at": YEAR_ONE}
    )
    assert response.status_code in (200, 400)
    assert TimelineEntry.objects.count() == before
    assert "Notiz" in response.content.decode()


@pytest.fixture
def provider_api(setup, ministry, file_calloff):
    calloff = file_calloff()
    services.offer_accept(
        calloff=calloff, provider=setup.providers[0], actor=setup.staff[0], lead_name="A", lead_phone="+49 211 1"
    )
    raw = api_key_create(provider=setup.providers[0], actor=ministry, name="T").raw
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client, CallOff.objects.get(pk=calloff.pk)


@pytest.mark.parametrize(
    "at", ["0001-01-01T00:00:00Z", "0001-01-01T00:00:00+05:00", "1999-06-01T00:00:00Z", "9999-12-31T23:59:59-05:00"]
)
def test_a_milestone_at_an_implausible_moment_is_refused(provider_api, at):
    client, calloff = provider_api
    response = client.post(
        f"/api/v1/calloffs/{calloff.public_id}/updates/", {"kind": "callback_made", "at": at}, format="json"
    )
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == PROBLEM
    assert "at" in response.json()["errors"]
    calloff.refresh_from_db()
    assert calloff.callback_made_at is None


@pytest.mark.parametrize("eta", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2001-01-01T00:00:00Z"])
def test_an_accept_with_an_implausible_eta_is_refused(api_for_offer, eta):
    client, calloff = api_for_offer
    response = client.post(
        f"/api/v1/calloffs/{calloff.public_id}/accept/",
        {"lead_name": "A", "lead_phone": "+49 211 1", "eta_onsite": eta},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "eta_onsite" in response.json()["errors"]


@pytest.fixture
def api_for_offer(setup, ministry, file_calloff):
    calloff = file_calloff()
    raw = api_key_create(provider=setup.providers[0], actor=ministry, name="T").raw
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client, calloff


def entry(**overrides):
    return {
        "date": timezone.localdate().isoformat(),
        "hours": "8",
        "role": "Lead Incident Handler",
        "description": "Analyse",
        **overrides,
    }


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"date": "0001-01-01"}, "date"),
        ({"hours": "-8"}, "hours"),
        ({"hours": "1e999999"}, "hours"),
        ({"hours": "NaN"}, "hours"),
        ({"hours": "99.99"}, "hours"),
        ({"hours": "0.001"}, "hours"),
    ],
)
def test_an_absurd_time_entry_is_refused(provider_api, overrides, field):
    client, calloff = provider_api
    response = client.post(f"/api/v1/calloffs/{calloff.public_id}/time-entries/", entry(**overrides), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not TimeEntry.objects.exists()


def test_at_most_24_hours_per_person_and_day_per_call_off(provider_api):
    client, calloff = provider_api
    path = f"/api/v1/calloffs/{calloff.public_id}/time-entries/"
    for _ in range(3):
        assert client.post(path, entry(hours="8"), format="json").status_code == 201
    response = client.post(path, entry(hours="0.25"), format="json")
    assert response.status_code == 400, response.content
    assert "hours" in response.json()["errors"]
    assert "24" in response.json()["errors"]["hours"][0]
    # Another person (a named one) on the same day, and the same role on another day, still may.
    assert client.post(path, entry(hours="8", person="Jana Keller"), format="json").status_code == 201
    assert TimeEntry.objects.filter(calloff=calloff).count() == 4


def test_the_database_refuses_a_year_one_date_that_slipped_through(file_calloff):
    calloff = file_calloff()
    for model, pk, field in (
        (CallOff, calloff.pk, "detected_at"),
        (Incident, calloff.incident_id, "became_aware_at"),
        (Incident, calloff.incident_id, "first_detected_at"),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            model.objects.filter(pk=pk).update(**{field: dt.datetime(1, 1, 2, tzinfo=dt.UTC)})
        with pytest.raises(IntegrityError), transaction.atomic():
            model.objects.filter(pk=pk).update(**{field: dt.datetime(2100, 1, 1, tzinfo=dt.UTC)})


def test_the_database_refuses_absurd_hours_and_dates_of_time_entries(provider_api, setup):
    client, calloff = provider_api
    path = f"/api/v1/calloffs/{calloff.public_id}/time-entries/"
    assert client.post(path, entry(), format="json").status_code == 201
    for change in ({"date": dt.date(1, 1, 1)}, {"hours": Decimal("-1")}, {"hours": Decimal("0")}):
        with pytest.raises(IntegrityError), transaction.atomic():
            TimeEntry.objects.update(**change)
