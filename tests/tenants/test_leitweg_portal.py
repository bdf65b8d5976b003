"""A body's administrator enters and changes its Leitweg-ID on the body's page (not only in the
Django admin): one audited service; a wrong check digit gives a German error and keeps the input;
a read-only member gets 403, an outsider 404."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from tenants import services
from tenants.leitweg import check_digits
from tenants.models import AuditEntry

pytestmark = pytest.mark.django_db

VALID = f"05315000-ABC123-{check_digits('05315000-ABC123')}"
WRONG = "05315000-ABC123-" + ("00" if VALID.endswith("-01") else "01")


def page(org):
    return reverse("tenants:organisation_detail", args=[org.public_id])


def test_the_admin_enters_and_changes_the_leitweg_id(client_for, body_admin, org_a):
    client = client_for(body_admin)
    assert 'name="leitweg_id"' in client.get(page(org_a)).content.decode()
    response = client.post(page(org_a), {"action": "leitweg", "leitweg_id": " " + VALID.lower() + " "})
    assert response.status_code == 302
    org_a.refresh_from_db()
    assert org_a.leitweg_id == VALID
    entry = AuditEntry.objects.filter(action="organisation.leitweg_id_changed").latest("id")
    assert entry.actor == body_admin and entry.organisation == org_a
    assert client.post(page(org_a), {"action": "leitweg", "leitweg_id": ""}).status_code == 302
    org_a.refresh_from_db()
    assert org_a.leitweg_id == ""


def test_wrong_check_digits_give_a_german_error_and_keep_the_input(client_for, body_admin, org_a):
    response = client_for(body_admin).post(page(org_a), {"action": "leitweg", "leitweg_id": WRONG})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Die Prüfziffer der Leitweg-ID stimmt nicht" in html
    assert f'value="{WRONG}"' in html
    org_a.refresh_from_db()
    assert org_a.leitweg_id == ""
    assert not AuditEntry.objects.filter(action="organisation.leitweg_id_changed").exists()


def test_a_read_only_member_gets_403_and_an_outsider_404(client_for, bob, charlie, org_a):
    data = {"action": "leitweg", "leitweg_id": VALID}
    assert 'name="leitweg_id"' not in client_for(bob).get(page(org_a)).content.decode()
    assert client_for(bob).post(page(org_a), data).status_code == 403
    assert client_for(charlie).post(page(org_a), data).status_code == 404
    org_a.refresh_from_db()
    assert org_a.leitweg_id == ""


def test_the_service_refuses_a_non_admin(bob, org_a):
    with pytest.raises(PermissionDenied):
        services.organisation_set_leitweg_id(organisation=org_a, actor=bob, leitweg_id=VALID)
