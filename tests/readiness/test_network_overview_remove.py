"""Issue 18, readiness profile: the network overview is shown once on the accepting provider's call-off
page (in its place among the entries, with its download link), and the body can remove it, not only
replace it. Removal is a confirmation page and a POST (no JavaScript), by the body's callers and
administrators only: a new profile version without the overview, audited, counted as missing again;
nobody can download it afterwards. A read-only member gets 403; an outsider, a provider and the
ministry 404 (the ministry never sees the file or its name). A stale or malformed confirmation changes
nothing and says why in German."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from calloffs.models import CallOffState
from readiness import services
from readiness.models import NetworkOverview, ReadinessProfile, ReadinessProfileVersion
from tenants.models import AuditEntry
from tests.api.conftest import api, keys  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


def upload(name="netzplan.pdf", content=PDF, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def remove_url(org):
    return reverse("readiness:network_overview_remove", args=[org.public_id])


def profile_url(org):
    return reverse("readiness:profile", args=[org.public_id])


@pytest.fixture
def with_overview(alice, org_a):
    services.readiness_profile_save(
        organisation=org_a, actor=alice, critical_systems=[{"name": "Meldewesen", "protection": "hoch"}]
    )
    return services.readiness_network_overview_upload(organisation=org_a, actor=alice, upload=upload()).network_overview


def test_a_caller_confirms_and_removes_it(client_for, alice, org_a, with_overview):
    client = client_for(alice)
    assert remove_url(org_a) in client.get(profile_url(org_a)).content.decode()  # the link beside "replace"
    confirm = client.get(remove_url(org_a))
    html = confirm.content.decode()
    assert confirm.status_code == 200 and "Netzübersicht entfernen?" in html and "netzplan.pdf" in html
    assert f'value="{with_overview.public_id}"' in html and "<script" not in html.split("<main", 1)[-1]
    assert ReadinessProfile.objects.get(organisation=org_a).network_overview_id == with_overview.pk  # GET: nothing

    assert ReadinessProfile.objects.get(organisation=org_a).score() == 15  # systems and overview: 2 of 13
    response = client.post(remove_url(org_a), {"overview": str(with_overview.public_id)})
    assert response.status_code == 302 and response["Location"] == profile_url(org_a)
    profile = ReadinessProfile.objects.get(organisation=org_a)
    assert profile.network_overview is None and profile.version == 3
    assert "network_overview" in profile.missing_fields() and profile.score() == 8  # counted as missing
    version = ReadinessProfileVersion.objects.get(organisation=org_a, number=3)
    assert version.changed == ["network_overview"] and version.contents["network_overview"] is None
    assert version.contents["critical_systems"][0]["name"] == "Meldewesen"  # the other entries stay
    earlier = ReadinessProfileVersion.objects.get(organisation=org_a, number=2)
    assert earlier.contents["network_overview"]["id"] == str(with_overview.public_id)  # history kept
    entry = AuditEntry.objects.get(action="readiness.network_overview_removed")
    assert entry.actor == alice and entry.details["network_overview"] == str(with_overview.public_id)
    assert entry.details["version"] == 3 and entry.details["score"] == 8
    page = client.get(profile_url(org_a)).content.decode()
    assert "Noch keine Netzübersicht hinterlegt." in page and "ist aus dem Profil entfernt (Version 3)" in page
    assert client.get(reverse("readiness:network_overview", args=[org_a.public_id])).status_code == 404
    with_overview.refresh_from_db()
    assert with_overview.file.open("rb").read() == PDF  # kept for the version that names it


def test_an_admin_may_remove_it_too(client_for, body_admin, org_a, with_overview):
    response = client_for(body_admin).post(remove_url(org_a), {"overview": str(with_overview.public_id)})
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Bitte bestätigen Sie, welche Netzübersicht entfernt werden soll."),
        ({"overview": "kein-uuid"}, "Bitte bestätigen Sie, welche Netzübersicht entfernt werden soll."),
        ({"overview": "00000000-0000-0000-0000-000000000000"}, "Die Netzübersicht wurde inzwischen ersetzt."),
    ],
)
def test_a_bad_or_stale_confirmation_changes_nothing_and_says_why(
    client_for, alice, org_a, with_overview, data, message
):
    response = client_for(alice).post(remove_url(org_a), data)
    html = response.content.decode()
    assert response.status_code == 400 and message in html
    assert f'value="{with_overview.public_id}"' in html  # the current one, to confirm again
    assert ReadinessProfile.objects.get(organisation=org_a).network_overview_id == with_overview.pk
    assert not AuditEntry.objects.filter(action="readiness.network_overview_removed").exists()


def test_a_confirmation_for_a_replaced_file_does_not_remove_the_new_one(client_for, alice, org_a, with_overview):
    services.readiness_network_overview_upload(
        organisation=org_a, actor=alice, upload=upload("neu.png", PNG, "image/png")
    )
    response = client_for(alice).post(remove_url(org_a), {"overview": str(with_overview.public_id)})
    assert response.status_code == 400 and "inzwischen ersetzt" in response.content.decode()
    assert "neu.png" in response.content.decode()
    assert ReadinessProfile.objects.get(organisation=org_a).network_overview.original_name == "neu.png"


def test_without_an_overview_there_is_nothing_to_remove(client_for, alice, org_a):
    response = client_for(alice).get(remove_url(org_a))
    assert response.status_code == 302 and response["Location"] == profile_url(org_a)
    response = client_for(alice).post(remove_url(org_a), {"overview": "00000000-0000-0000-0000-000000000000"})
    assert response.status_code == 400 and "keine Netzübersicht" in response.content.decode()
    with pytest.raises(ValidationError):
        services.readiness_network_overview_remove(organisation=org_a, actor=alice, overview_id="x")
    assert not ReadinessProfile.objects.filter(organisation=org_a).exists()  # no empty profile created


def test_it_requires_rw_access(client_for, bob, org_a, with_overview):
    client = client_for(bob)
    assert client.get(remove_url(org_a)).status_code == 403
    assert client.post(remove_url(org_a), {"overview": str(with_overview.public_id)}).status_code == 403
    assert remove_url(org_a) not in client.get(profile_url(org_a)).content.decode()
    assert ReadinessProfile.objects.get(organisation=org_a).network_overview_id == with_overview.pk


def test_it_checks_ownership(client_for, setup, charlie, ministry, org_a, with_overview):
    """An outsider, a provider (even the one that accepted a call-off of the body) and the ministry: 404,
    and the ministry's 404 names no file."""
    for user in (charlie, ministry, setup.staff[0]):
        client = client_for(user)
        response = client.get(remove_url(org_a))
        assert response.status_code == 404 and "netzplan.pdf" not in response.content.decode(), user
        assert client.post(remove_url(org_a), {"overview": str(with_overview.public_id)}).status_code == 404
    assert ReadinessProfile.objects.get(organisation=org_a).network_overview_id == with_overview.pk


def test_the_service_checks_rights_and_is_durable(setup, bob, charlie, ministry, alice, org_a, with_overview):
    for actor in (bob, charlie, ministry, setup.staff[0]):
        with pytest.raises(PermissionDenied):
            services.readiness_network_overview_remove(
                organisation=org_a, actor=actor, overview_id=with_overview.public_id
            )
    with pytest.raises(RuntimeError), transaction.atomic():
        services.readiness_network_overview_remove(organisation=org_a, actor=alice, overview_id=with_overview.public_id)
    assert ReadinessProfile.objects.get(organisation=org_a).network_overview_id == with_overview.pk


def test_after_removal_the_accepting_provider_gets_nothing(drive, setup, alice, org_a, client_for, api, with_overview):  # noqa: F811
    calloff = drive(CallOffState.ACCEPTED)
    provider = client_for(setup.staff[0])
    file_url = reverse("calloffs:readiness_network_overview", args=[calloff.public_id])
    assert provider.get(file_url).status_code == 200
    services.readiness_network_overview_remove(organisation=org_a, actor=alice, overview_id=with_overview.public_id)
    assert provider.get(file_url).status_code == 404
    api_file = f"/api/v1/calloffs/{calloff.public_id}/readiness-profile/network-overview/"
    assert api(0).get(api_file).json()["code"] == "not_available"
    assert api(0).get(f"/api/v1/calloffs/{calloff.public_id}/readiness-profile/").json()["network_overview"] is None
    html = provider.get(reverse("calloffs:detail", args=[calloff.public_id])).content.decode()
    assert "netzplan.pdf" not in html and file_url not in html


def test_the_call_off_page_shows_the_overview_once_in_its_place(drive, setup, alice, org_a, client_for, with_overview):
    calloff = drive(CallOffState.ACCEPTED)
    html = client_for(setup.staff[0]).get(reverse("calloffs:detail", args=[calloff.public_id])).content.decode()
    section = html.split('id="readiness"', 1)[1]
    file_url = reverse("calloffs:readiness_network_overview", args=[calloff.public_id])
    assert section.count("Netzübersicht (Netzplan)") == 1
    assert section.count("netzplan.pdf") == 1 and section.count(file_url) == 1
    assert section.count(with_overview.sha256) == 1
    entry = section.split('id="readiness-network"', 1)[1].split("</div>", 1)[0]
    assert "Netzübersicht (Netzplan)" in entry and file_url in entry and with_overview.sha256 in entry
    # In the order of the profile: after the management's contact, the last entry.
    assert section.index("Verwaltungsspitze") < section.index("Netzübersicht (Netzplan)")


def test_the_call_off_page_without_an_overview_says_so_once(drive, setup, alice, org_a, client_for):
    services.readiness_profile_save(organisation=org_a, actor=alice, dpo_contact="Frau Daten, 0211 1")
    calloff = drive(CallOffState.ACCEPTED)
    html = client_for(setup.staff[0]).get(reverse("calloffs:detail", args=[calloff.public_id])).content.decode()
    section = html.split('id="readiness"', 1)[1]
    assert section.count("Netzübersicht (Netzplan)") == 1
    assert reverse("calloffs:readiness_network_overview", args=[calloff.public_id]) not in section


def test_nothing_is_deleted_from_the_stored_files(alice, org_a, with_overview):
    services.readiness_network_overview_remove(organisation=org_a, actor=alice, overview_id=with_overview.public_id)
    assert NetworkOverview.objects.filter(pk=with_overview.pk).exists()
