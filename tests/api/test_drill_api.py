"""Providers' API: "drill" on every call-off object (list and detail), true for a drill only."""

import uuid

import pytest

from calloffs import services
from calloffs.models import Priority
from incidents.models import Category
from tests.api.conftest import ACCEPT, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def drill(setup, alice, org_a):
    return services.calloff_file(
        organisation=org_a,
        actor=alice,
        client_token=uuid.uuid4(),
        category=Category.RANSOMWARE,
        situation="Übung: angenommener Befall.",
        priority=Priority.P2,
        services=[(setup.modules.remote, 4)],
        callback_phone="+49 171 1234567",
        drill=True,
    )


def test_drill_is_true_on_a_drill_and_false_on_a_real_call_off(api, drill, file_calloff):
    real = file_calloff()
    listed = {row["id"]: row["drill"] for row in api(0).get(url()).json()["results"]}
    assert listed == {str(drill.public_id): True, str(real.public_id): False}
    assert api(0).get(url(drill)).json()["drill"] is True
    assert api(0).get(url(real)).json()["drill"] is False


def test_the_accepted_drill_says_so_too(api, drill):
    response = api(0).post(url(drill, "accept/"), ACCEPT, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["drill"] is True


def test_another_provider_does_not_see_the_drill(api, drill):
    assert api(1).get(url(drill)).status_code == 404


def test_every_object_of_a_drill_says_drill(api, drill, setup, alice, org_a, django_capture_on_commit_callbacks):
    """The decline result, the 201 of an update, time entries, attachments, the documents list and the
    readiness profile all carry "drill": true (taken from the call-off, not one query per item)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from tests.readiness.test_handover import save_profile

    save_profile(org_a, alice)
    declined = api(0).post(url(drill, "decline/"), {"reason": "Keine Kapazität in der Übung"}, format="json")
    assert declined.status_code == 200, declined.content
    assert declined.json()["drill"] is True
    with django_capture_on_commit_callbacks(execute=True):  # the order document is created on commit
        assert api(1).post(url(drill, "accept/"), ACCEPT, format="json").status_code == 200
    client = api(1)
    update = client.post(url(drill, "updates/"), {"kind": "callback_made", "text": "Rückruf an IT"}, format="json")
    assert update.status_code == 201, update.content
    assert update.json()["drill"] is True
    entry = {"date": str(timezone.localdate()), "hours": "1.5", "role": "Lead Incident Handler", "description": "x"}
    created = client.post(url(drill, "time-entries/"), entry, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["drill"] is True
    assert [row["drill"] for row in client.get(url(drill, "time-entries/")).json()] == [True]
    pdf = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
    upload = SimpleUploadedFile("bericht.pdf", pdf, content_type="application/pdf")
    attached = client.post(url(drill, "attachments/"), {"file": upload, "kind": "report"}, format="multipart")
    assert attached.status_code == 201, attached.content
    assert attached.json()["drill"] is True
    documents = client.get(url(drill)).json()["documents"]
    assert documents and all(d["drill"] is True for d in documents)
    profile = client.get(url(drill, "readiness-profile/"))
    assert profile.status_code == 200, profile.content
    assert profile.json()["drill"] is True
