"""Issue 13, filing: the form files on the first submit with only what is truly needed, nothing is
guessed for the caller, every error links to its field, the hotlines come in the order of precedence."""

import re
import uuid

import pytest
from django.urls import reverse

from calloffs.models import CallOff
from tests.calloffs.factories import ProviderRankFactory, RankingVersionFactory

pytestmark = pytest.mark.django_db


def minimal(setup, org, **overrides):
    """What a caller sends who only answers what the form asks without a default: the first service is
    preset to 1 (the browser sends that value back), everything else optional is left empty."""
    data = {
        "client_token": str(uuid.uuid4()),
        "organisation": str(org.public_id),
        "category": "ransomware",
        "operations_halted": "no",
        "situation": "Server verschlüsselt.",
        f"module_{setup.modules.remote.pk}": "1",
        "callback_phone": "+49 171 2223334",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_the_acute_module_is_preset_to_one_and_the_form_says_so(client_for, setup, alice):
    content = client_for(alice).get(reverse("calloffs:create")).content.decode()
    first = setup.modules.remote
    assert re.search(rf'name="module_{first.pk}"[^>]*value="1"', content)
    assert re.search(rf'name="module_{setup.modules.onsite.pk}"[^>]*value=', content) is None
    assert f"Vorbelegt: 1 × „{first.name}“" in content


def test_nothing_is_chosen_for_the_caller(client_for, setup, alice):
    content = client_for(alice).get(reverse("calloffs:create")).content.decode()
    radios = re.findall(r'<input[^>]*name="(category|priority|operations_halted)"[^>]*>', content)
    checked = re.findall(r'<input[^>]*name="(?:category|priority|operations_halted)"[^>]*\bchecked\b', content)
    assert radios and checked == []
    assert "Ohne Auswahl gilt P2" in content  # what the empty priority means


def test_it_files_on_the_first_submit_with_the_defaults(client_for, setup, alice, org_a):
    response = client_for(alice).post(reverse("calloffs:create"), minimal(setup, org_a))
    assert response.status_code == 302
    calloff = CallOff.objects.get()
    assert calloff.priority == "P2"  # no priority chosen: P2, as the form says
    assert [(line.service_module_id, line.estimated_quantity) for line in calloff.services.all()] == [
        (setup.modules.remote.pk, 1)
    ]


def test_no_service_points_at_the_service_field(client_for, setup, alice, org_a):
    data = minimal(setup, org_a, **{f"module_{setup.modules.remote.pk}": ""})
    response = client_for(alice).post(reverse("calloffs:create"), data)
    content = response.content.decode()
    assert response.status_code == 400
    link = rf'<a class="kern-link" href="#id_module_{setup.modules.remote.pk}">[^<]*mindestens eine Leistung'
    assert re.search(link, content)
    assert f'id="id_module_{setup.modules.remote.pk}"' in content


def test_every_error_in_the_summary_links_to_a_field_that_exists(client_for, setup, alice, org_a):
    data = minimal(setup, org_a, category=None, operations_halted=None, situation="", callback_phone="abc")
    content = client_for(alice).post(reverse("calloffs:create"), data).content.decode()
    summary = content[content.index("ds-error-summary") : content.index("</ul>", content.index("ds-error-summary"))]
    targets = re.findall(r'href="#([^"]*)"', summary)
    assert sorted(targets) == sorted(["id_category_0", "id_operations_halted_0", "id_situation", "id_callback_phone"])
    for target in targets:
        assert f'id="{target}"' in content
    assert not CallOff.objects.exists()


def test_the_hotlines_come_in_the_order_of_precedence(client_for, setup, alice):
    # A newer ranking puts P3 first; the alphabet would put P1 first.
    version = RankingVersionFactory(contract=setup.contract, number=2)
    for rank, index in enumerate([2, 0, 1, 3], start=1):
        ProviderRankFactory(version=version, provider=setup.providers[index], rank=rank)
    content = client_for(alice).get(reverse("calloffs:create")).content.decode()
    start = content.index('id="hotlines"')
    box = content[start : content.index("</details>", start)]
    positions = [box.index(setup.providers[i].hotline) for i in (2, 0, 1)]
    assert positions == sorted(positions)
    assert "In dieser Reihenfolge anrufen" in box
    assert "<details" in content[start - 60 : start]  # folds on a phone


def test_the_totp_field_brings_up_the_number_pad(client, alice):
    from allauth.mfa.base.forms import AuthenticateForm

    from tenants.mfa_forms import NumericAuthenticateForm

    field = NumericAuthenticateForm(user=alice).fields["code"]
    assert field.widget.attrs["inputmode"] == "numeric"
    assert field.widget.attrs["autocomplete"] == "one-time-code"
    assert "inputmode" not in AuthenticateForm(user=alice).fields["code"].widget.attrs


def test_the_login_button_says_anmelden(client):
    content = client.get(reverse("account_login")).content.decode()
    labels = re.findall(r'<button[^>]*type="submit"[^>]*>\s*<span class="kern-label">\s*([^<]*?)\s*</span>', content)
    assert "Anmelden" in labels and "Anmeldung" not in labels


def test_the_totp_step_asks_for_digits_and_signs_in(client, alice):
    response = client.post(
        reverse("account_login"), {"login": alice.email, "password": "correct horse battery staple"}, follow=True
    )
    content = response.content.decode()
    code = re.search(r'<input[^>]*name="code"[^>]*>', content).group(0)
    assert 'inputmode="numeric"' in code and 'autocomplete="one-time-code"' in code
    labels = re.findall(r'<button[^>]*type="submit"[^>]*>\s*<span class="kern-label">\s*([^<]*?)\s*</span>', content)
    assert "Anmelden" in labels and "Anmeldung" not in labels  # (the first is the language switch)
