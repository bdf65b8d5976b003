"""Issue 13, filing: the form files on the first submit with only what is truly needed, nothing is
guessed for the caller, every error links to its field, the hotlines come in the order of precedence."""

import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from calloffs.models import CallOff
from tenants.models import AuditEntry
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


# --- "Seit wann?" -----------------------------------------------------------------------------


def test_without_seit_wann_the_filing_time_is_assumed_and_the_incident_says_so(client_for, setup, alice, org_a):
    before = timezone.now()
    assert client_for(alice).post(reverse("calloffs:create"), minimal(setup, org_a)).status_code == 302
    incident = CallOff.objects.get().incident
    assert incident.became_aware_assumed is True and incident.became_aware_at >= before
    page = client_for(alice).get(reverse("incidents:detail", args=[incident.public_id])).content.decode()
    assert "angenommen" in page and "Zeitpunkt berichtigen" in page


def test_just_now_is_given_not_assumed(client_for, setup, alice, org_a):
    assert client_for(alice).post(reverse("calloffs:create"), minimal(setup, org_a, aware="now")).status_code == 302
    incident = CallOff.objects.get().incident
    assert incident.became_aware_assumed is False
    page = client_for(alice).get(reverse("incidents:detail", args=[incident.public_id])).content.decode()
    assert "angenommen" not in page


@time_machine.travel(datetime(2026, 12, 5, 14, 0, tzinfo=ZoneInfo("Europe/Berlin")), tick=False)
def test_earlier_today_combines_the_time_with_todays_date_and_starts_the_clocks(client_for, setup, alice, org_a):
    data = minimal(setup, org_a, aware="today", aware_time="09:30")
    assert client_for(alice).post(reverse("calloffs:create"), data).status_code == 302
    incident = CallOff.objects.get().incident
    assert incident.became_aware_assumed is False
    assert timezone.localtime(incident.became_aware_at).strftime("%d.%m.%Y %H:%M") == "05.12.2026 09:30"
    gdpr = incident.obligations.get(kind="gdpr_notification")
    assert gdpr.due_at == incident.became_aware_at + timedelta(hours=72)


@time_machine.travel(datetime(2026, 12, 5, 14, 0, tzinfo=ZoneInfo("Europe/Berlin")), tick=False)
def test_the_form_shows_the_clocks_that_start(client_for, setup, alice):
    content = client_for(alice).get(reverse("calloffs:create")).content.decode()
    assert "NIS-2-Frühwarnung (24 Stunden): bis" in content
    assert "06.12.2026 14:00" in content  # 24 h from now
    assert "08.12.2026 14:00" in content  # 72 h (NIS-2 notification, GDPR)


@pytest.mark.parametrize(
    ("extra", "target", "message"),
    [
        ({"aware": "today"}, "id_aware_time", "Bitte die Uhrzeit angeben"),
        ({"aware": "earlier"}, "id_detected_at", "Bitte Datum und Uhrzeit angeben"),
        ({"aware": "earlier", "detected_at": "0001-01-01T00:00"}, "id_detected_at", "nicht vor dem"),
        ({"aware": "earlier", "detected_at": "2099-01-01T00:00"}, "id_detected_at", "Zukunft"),
    ],
)
def test_an_implausible_awareness_time_is_refused_and_the_input_kept(
    client_for, setup, alice, org_a, extra, target, message
):
    response = client_for(alice).post(reverse("calloffs:create"), minimal(setup, org_a, **extra))
    content = response.content.decode()
    assert response.status_code == 400 and not CallOff.objects.exists()
    assert re.search(rf'href="#{target}">[^<]*{message}', content)
    assert "Server verschlüsselt." in content  # nothing lost


@time_machine.travel(datetime(2026, 12, 5, 14, 0, tzinfo=ZoneInfo("Europe/Berlin")), tick=False)
def test_a_time_later_today_is_refused(client_for, setup, alice, org_a):
    data = minimal(setup, org_a, aware="today", aware_time="15:00")
    response = client_for(alice).post(reverse("calloffs:create"), data)
    assert response.status_code == 400 and not CallOff.objects.exists()
    assert re.search(r'href="#id_aware_time">[^<]*Zukunft', response.content.decode())


def _assumed_incident(client_for, setup, alice, org_a):
    client_for(alice).post(reverse("calloffs:create"), minimal(setup, org_a))
    return CallOff.objects.get().incident


def test_the_body_corrects_an_assumed_time_audited_and_the_clocks_move(client_for, setup, alice, org_a):
    incident = _assumed_incident(client_for, setup, alice, org_a)
    earlier = timezone.localtime(incident.became_aware_at - timedelta(hours=5)).replace(second=0, microsecond=0)
    url = reverse("incidents:action", args=[incident.public_id, "aware"])
    response = client_for(alice).post(url, {"became_aware_at": earlier.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.became_aware_assumed is False and incident.became_aware_at == earlier
    assert incident.obligations.get(kind="cert_nrw").due_at == earlier + timedelta(hours=24)
    assert incident.timeline.filter(text__contains="bisher angenommen").exists()
    entry = AuditEntry.objects.filter(action="incident.updated", target=str(incident.public_id)).get()
    assert entry.details["became_aware_was_assumed"] is True
    page = client_for(alice).get(reverse("incidents:detail", args=[incident.public_id])).content.decode()
    assert "angenommen)" not in page


def test_editing_other_facts_keeps_the_time_assumed(client_for, setup, alice, org_a):
    incident = _assumed_incident(client_for, setup, alice, org_a)
    edit = client_for(alice).get(reverse("incidents:edit", args=[incident.public_id]))
    form = edit.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["became_aware_at"] = form["became_aware_at"].value().strftime("%Y-%m-%dT%H:%M")
    data["title"] = "Neuer Titel"
    data["personal_data_affected"] = "unknown"
    data["operations_halted"] = "on" if data["operations_halted"] else ""
    for key in ("nis2_in_scope", "criminal_complaint_filed"):
        data[key] = "on" if data[key] else ""
    data = {k: v for k, v in data.items() if v != ""}
    assert client_for(alice).post(reverse("incidents:edit", args=[incident.public_id]), data).status_code == 302
    incident.refresh_from_db()
    assert incident.title == "Neuer Titel" and incident.became_aware_assumed is True


def test_an_outsider_gets_404_and_a_read_only_member_403(client_for, setup, alice, bob, charlie, org_a):
    incident = _assumed_incident(client_for, setup, alice, org_a)
    url = reverse("incidents:action", args=[incident.public_id, "aware"])
    assert client_for(charlie).post(url, {"became_aware_at": "2026-01-01T10:00"}).status_code == 404
    assert client_for(bob).post(url, {"became_aware_at": "2026-01-01T10:00"}).status_code == 403
    incident.refresh_from_db()
    assert incident.became_aware_assumed is True


def test_a_modules_quantity_field_is_built_once_and_each_form_gets_its_own_copy(setup):
    from django.utils import translation

    from calloffs.forms import module_quantity_field, module_quantity_field_copy

    module = setup.modules.remote
    with translation.override("de"):
        first = module_quantity_field_copy(module, initial=1)
        second = module_quantity_field_copy(module, initial=1)
        fresh = module_quantity_field(module, initial=1)
        assert first is not second and first.widget is not second.widget
        first.widget.attrs["size"] = 99  # a form changing its copy changes no other form's
        assert second.widget.attrs["size"] == 6
        assert (second.label, second.help_text, second.initial) == (fresh.label, fresh.help_text, fresh.initial)
        assert second.widget.render("q", "2,5") == fresh.widget.render("q", "2,5")
        assert module_quantity_field_copy(module, initial=None).initial is None
        module.price += 1  # what the field shows changed: built anew, not the kept one
        changed = module_quantity_field_copy(module, initial=1).help_text
        assert changed == module_quantity_field(module, initial=1).help_text != fresh.help_text
    with translation.override("en"):
        english = module_quantity_field_copy(module, initial=1).help_text
        assert english == module_quantity_field(module, initial=1).help_text
