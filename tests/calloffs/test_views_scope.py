import pytest
from django.urls import reverse

from calloffs import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(setup, file_calloff):
    calloff = file_calloff()
    return services.offer_accept(
        calloff=calloff, provider=setup.providers[0], actor=setup.staff[0], lead_name="L", lead_phone="+49 211 555"
    )


def test_a_caller_changes_the_scope_and_a_new_order_version_follows(client_for, setup, accepted, alice):
    url = reverse("calloffs:scope", args=[accepted.public_id])
    page = client_for(alice).get(url)
    assert page.status_code == 200 and 'value="40,00"' in page.content.decode()
    data = {
        f"module_{setup.modules.remote.pk}": "60",
        f"module_{setup.modules.forensic.pk}": "16",
        "reason": "Mehr Systeme",
    }
    assert client_for(alice).post(url, data).status_code == 302
    accepted.refresh_from_db()
    assert accepted.estimated_value == 60 * setup.modules.remote.price + 16 * setup.modules.forensic.price
    assert accepted.events.filter(kind="scope_changed").exists()


def test_bad_input_keeps_the_form(client_for, setup, accepted, alice):
    url = reverse("calloffs:scope", args=[accepted.public_id])
    response = client_for(alice).post(url, {f"module_{setup.modules.remote.pk}": "viel", "reason": ""})
    assert response.status_code == 400 and 'value="viel"' in response.content.decode()


def test_only_the_body_and_ministry(client_for, setup, accepted, bob, charlie, ministry):
    url = reverse("calloffs:scope", args=[accepted.public_id])
    assert client_for(charlie).get(url).status_code == 404
    assert client_for(bob).get(url).status_code == 403
    assert client_for(setup.staff[0]).get(url).status_code == 403
    assert client_for(ministry).get(url).status_code == 200


def test_not_before_acceptance(client_for, setup, file_calloff, alice):
    calloff = file_calloff()
    response = client_for(alice).get(reverse("calloffs:scope", args=[calloff.public_id]))
    assert response.status_code == 302
