import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_admin_login_is_the_portals_login(client):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    # Posting a password to the admin's own form does not log anyone in.
    client.post("/admin/login/", {"username": "x@example.org", "password": "x"})
    assert client.get("/admin/").status_code == 302


def test_only_ministry_staff_with_staff_flag_reach_the_admin(client_for, alice, ministry):
    alice.is_staff = True
    alice.save()
    assert client_for(alice).get("/admin/").status_code in (302, 403)
    ministry.is_staff = True
    ministry.save()
    assert client_for(ministry).get("/admin/").status_code == 200
