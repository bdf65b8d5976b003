"""The CSV files of the call-off and incident lists mark a drill (column "Übung") as the pages do,
so a download never counts a drill as a real call-off or incident; scoped as the lists are."""

import uuid

import pytest
from django.urls import reverse

from calloffs import services
from calloffs.models import Priority
from incidents.models import Category
from tests.test_list_search_export import rows_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def drill(setup, alice, org_a):
    return services.calloff_file(
        organisation=org_a,
        actor=alice,
        client_token=uuid.uuid4(),
        category=Category.RANSOMWARE,
        situation="Übung: angenommener Befall der Fachverfahren.",
        priority=Priority.P2,
        services=[(setup.modules.remote, 4)],
        callback_phone="+49 171 1234567",
        drill=True,
    )


def test_the_calloff_csv_marks_the_drill(client_for, ministry, charlie, drill, file_calloff):
    real = file_calloff()
    rows = rows_of(client_for(ministry).get(reverse("calloffs:list"), {"export": "csv"}))
    assert rows[0][-1] == "Übung"
    assert {r[0]: r[-1] for r in rows[1:]} == {real.number: "Nein", drill.number: "Ja"}
    assert rows_of(client_for(charlie).get(reverse("calloffs:list"), {"export": "csv"}))[1:] == []


def test_the_incident_csv_marks_the_drills_record(client_for, alice, charlie, drill, file_calloff):
    real = file_calloff()
    rows = rows_of(client_for(alice).get(reverse("incidents:list"), {"export": "csv"}))
    assert rows[0][-1] == "Übung"
    assert sorted((r[0], r[-1]) for r in rows[1:]) == sorted(
        [(real.incident.title, "Nein"), (drill.incident.title, "Ja")]
    )
    assert rows_of(client_for(charlie).get(reverse("incidents:list"), {"export": "csv"}))[1:] == []
