"""The statement pages for every persona: the body confirms or disputes, the provider submits and
answers, the ministry approves and credits; a read-only member sees but may not act (403); an
outsider (another body, another provider) gets 404."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from settlement import services
from settlement.models import Statement, StatementState

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(work):
    w = work()
    w.entry = w.add(2, hours="6")
    w.statement = services.statement_submit(
        calloff=w.calloff,
        provider=w.provider,
        actor=w.staff,
        period_start=timezone.localdate() - timedelta(days=5),
        period_end=timezone.localdate(),
    )
    return w


def detail(statement):
    return reverse("settlement:detail", args=[statement.public_id])


def test_the_provider_submits_through_the_portal(work, client_for):
    w = work()
    w.add(1)
    url = reverse("settlement:submit", args=[w.calloff.public_id])
    client = client_for(w.staff)
    assert client.get(url).status_code == 200
    bad = client.post(url, {"period_start": "2026-13-01", "period_end": ""})
    assert bad.status_code == 400
    early = client.post(
        url,
        {
            "period_start": str(timezone.localdate() - timedelta(days=9)),
            "period_end": str(timezone.localdate() - timedelta(days=8)),
        },
    )
    assert early.status_code == 400
    assert "keine noch nicht abgerechneten Stunden" in early.content.decode()
    response = client.post(
        url,
        {"period_start": str(timezone.localdate() - timedelta(days=5)), "period_end": str(timezone.localdate())},
    )
    statement = Statement.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(statement)


def test_only_the_assigned_provider_has_the_submission_page(work, setup, client_for, alice, charlie, ministry):
    w = work()
    url = reverse("settlement:submit", args=[w.calloff.public_id])
    for user in (setup.staff[1], alice, charlie, ministry):
        assert client_for(user).get(url).status_code == 404


def test_every_persona_sees_or_not(submitted, setup, client_for, alice, bob, charlie, body_admin, ministry):
    url = detail(submitted.statement)
    for user in (alice, bob, body_admin, ministry, submitted.staff):
        response = client_for(user).get(url)
        assert response.status_code == 200
        assert submitted.statement.number in response.content.decode()
    for user in (charlie, setup.staff[1]):
        assert client_for(user).get(url).status_code == 404
        assert client_for(user).post(url, {"action": "confirm"}).status_code == 404
    assert client_for(charlie).get(reverse("settlement:list")).content.decode().count(submitted.statement.number) == 0
    assert submitted.statement.number in client_for(alice).get(reverse("settlement:list")).content.decode()


def test_the_read_only_member_may_not_act(submitted, client_for, bob):
    response = client_for(bob).post(detail(submitted.statement), {"action": "confirm"})
    assert response.status_code == 403
    assert Statement.objects.get().state == StatementState.SUBMITTED
    assert "Bestätigen" not in client_for(bob).get(detail(submitted.statement)).content.decode().split("</table>")[-1]


def test_the_journey_through_the_pages(submitted, client_for, alice, ministry, ministry_leitweg):
    statement, item = submitted.statement, submitted.statement.items.get()
    body, provider, minister = client_for(alice), client_for(submitted.staff), client_for(ministry)
    url = detail(statement)

    empty = body.post(url, {"action": "dispute", f"dispute-reason_{item.pk}": "  "})
    assert empty.status_code == 400 and "mindestens eine Position" in empty.content.decode()
    assert body.post(url, {"action": "dispute", f"dispute-reason_{item.pk}": "Nur 4 Stunden"}).status_code == 302
    assert Statement.objects.get().state == StatementState.DISPUTED
    assert minister.post(url, {"action": "approve"}).status_code == 409

    page = provider.get(url).content.decode()
    assert "Beanstandung beantworten" in page and "Nur 4 Stunden" in page
    too_many = provider.post(
        url,
        {
            "action": "answer",
            f"answer-action_{item.pk}": "correct",
            f"answer-hours_{item.pk}": "7",
            f"answer-note_{item.pk}": "x",
        },
    )
    assert too_many.status_code == 400
    ok = provider.post(
        url,
        {
            "action": "answer",
            f"answer-action_{item.pk}": "correct",
            f"answer-hours_{item.pk}": "4",
            f"answer-note_{item.pk}": "Einverstanden",
        },
    )
    assert ok.status_code == 302
    assert Statement.objects.get().state == StatementState.CORRECTED

    assert body.post(url, {"action": "confirm"}).status_code == 302
    assert provider.post(url, {"action": "approve"}).status_code == 403
    assert minister.post(url, {"action": "approve"}).status_code == 302
    statement.refresh_from_db()
    assert statement.state == StatementState.APPROVED and str(statement.net_total) == "1000.00"

    assert minister.post(url, {"action": "credit", "credit-reason": ""}).status_code == 400
    credited = minister.post(url, {"action": "credit", "credit-reason": "Doppelt abgerechnet"})
    assert credited.status_code == 302
    credit = Statement.objects.get(corrects=statement)
    assert credited["Location"] == detail(credit)
    assert "Doppelt abgerechnet" in minister.get(detail(credit)).content.decode()


def test_an_unknown_action_is_refused(submitted, client_for, alice):
    assert client_for(alice).post(detail(submitted.statement), {"action": "delete"}).status_code == 409


def test_the_provider_finds_its_billable_calloffs_in_the_list(work, setup, client_for):
    w = work()
    submit_url = reverse("settlement:submit", args=[w.calloff.public_id])
    assert submit_url in client_for(w.staff).get(reverse("settlement:list")).content.decode()
    assert submit_url not in client_for(setup.staff[1]).get(reverse("settlement:list")).content.decode()


def test_the_ministry_sets_billing_terms_and_rate_versions(setup, client_for, ministry, alice):
    from settlement.models import BillingTerms, RateVersion

    url = reverse("settlement:billing_terms", args=[setup.contract.public_id])
    assert client_for(alice).get(url).status_code == 404
    assert client_for(setup.staff[0]).get(url).status_code == 404
    client = client_for(ministry)
    assert url in client.get(reverse("settlement:list")).content.decode()
    assert client.get(url).status_code == 200
    terms = {
        "form": "terms",
        "terms-vat_percent": "7",
        "terms-travel_flat_rate": "150,00",
        "terms-payer": "ministry",
        "terms-ministry_leitweg_id": "05-84",
    }
    bad = client.post(url, terms)
    assert bad.status_code == 400 and "Prüfziffer" in bad.content.decode()
    assert client.post(url, {**terms, "terms-vat_percent": "31"}).status_code == 400
    assert client.post(url, {**terms, "terms-ministry_leitweg_id": " 05-83 "}).status_code == 302
    saved = BillingTerms.objects.get(contract=setup.contract)
    assert (str(saved.vat_percent), str(saved.travel_flat_rate), saved.ministry_leitweg_id) == (
        "7.00",
        "150.00",
        "05-83",
    )
    rate = {
        "form": "rate",
        "rate-role": setup.roles.lead.pk,
        "rate-valid_from": "2026-01-01",
        "rate-hourly_rate": "262,50",
    }
    assert client.post(url, {**rate, "rate-valid_from": "0001-01-01"}).status_code == 400
    assert client.post(url, {**rate, "rate-hourly_rate": "-1"}).status_code == 400
    assert client.post(url, rate).status_code == 302
    assert client.post(url, rate).status_code == 400  # the same day twice
    assert RateVersion.objects.get().hourly_rate == Decimal("262.50")


def test_the_calloff_page_links_its_statements_for_its_parties_only(
    submitted, setup, client_for, alice, bob, charlie, body_admin, ministry
):
    page = reverse("calloffs:detail", args=[submitted.calloff.public_id])
    link = f'href="{reverse("settlement:list")}?abruf={submitted.calloff.public_id}"'
    for user in (alice, bob, body_admin, ministry, submitted.staff):
        response = client_for(user).get(page)
        assert response.status_code == 200
        assert link in response.content.decode(), user
    for user in (charlie, setup.staff[1]):  # another body, another provider: no page at all
        assert client_for(user).get(page).status_code == 404
    listing = client_for(alice).get(f"{reverse('settlement:list')}?abruf={submitted.calloff.public_id}")
    assert submitted.statement.number in listing.content.decode()
    other = client_for(alice).get(f"{reverse('settlement:list')}?abruf=00000000-0000-4000-8000-000000000000")
    assert submitted.statement.number not in other.content.decode()
    broken = client_for(alice).get(f"{reverse('settlement:list')}?abruf=kaputt")
    assert broken.status_code == 200 and submitted.statement.number in broken.content.decode()
    outsider = client_for(charlie).get(f"{reverse('settlement:list')}?abruf={submitted.calloff.public_id}")
    assert submitted.statement.number not in outsider.content.decode()


def test_a_provider_that_was_only_offered_the_calloff_gets_no_statement_link(file_calloff, setup, client_for):
    calloff = file_calloff()  # offered to P1, not accepted
    response = client_for(setup.staff[0]).get(reverse("calloffs:detail", args=[calloff.public_id]))
    assert response.status_code == 200
    assert "?abruf=" not in response.content.decode()


def test_the_provider_claims_night_hours_and_on_site_work_in_the_portal(work, client_for):
    w = work()
    night_entry, onsite_entry, old_entry = w.add(1, hours="6"), w.add(2, hours="4"), w.add(8, hours="3")
    url = reverse("settlement:submit", args=[w.calloff.public_id])
    client = client_for(w.staff)
    page = client.get(url).content.decode()
    assert f'name="night_{night_entry.pk}"' in page and f'name="onsite_{onsite_entry.pk}"' in page
    period = {"period_start": str(timezone.localdate() - timedelta(days=5)), "period_end": str(timezone.localdate())}
    # more night hours than the entry has, and a claim on an entry outside the period: refused, kept
    bad = client.post(url, {**period, f"night_{night_entry.pk}": "6,5", f"onsite_{old_entry.pk}": "on"})
    content = bad.content.decode()
    assert bad.status_code == 400
    assert "kleiner oder gleich 6" in content
    assert "Dieser Eintrag liegt außerhalb des Zeitraums." in content
    assert 'value="6,5"' in content
    assert Statement.objects.count() == 0
    response = client.post(url, {**period, f"night_{night_entry.pk}": "2,5", f"onsite_{onsite_entry.pk}": "on"})
    statement = Statement.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(statement)
    items = {item.time_entry_id: item for item in statement.items.all()}
    assert set(items) == {night_entry.pk, onsite_entry.pk}  # the old entry waits for a later statement
    assert items[night_entry.pk].night_hours == Decimal("2.50") and not items[night_entry.pk].onsite
    assert items[onsite_entry.pk].onsite and items[onsite_entry.pk].night_hours == 0
    # the old entry is still offered for the next statement; the billed ones are not
    page = client.get(url).content.decode()
    assert f'name="night_{old_entry.pk}"' in page and f'name="night_{night_entry.pk}"' not in page
