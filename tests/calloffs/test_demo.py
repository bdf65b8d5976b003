"""The demo seed: complete, valid, fictional and idempotent."""

import io
from decimal import Decimal

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model

from calloffs import selectors
from calloffs.demo import seed_demo_contract
from calloffs.models import (
    FrameworkContract,
    Provider,
    ProviderContact,
    ProviderMembership,
    ProviderRank,
    RankingVersion,
    RoleRate,
    ServiceModule,
    SLATerm,
)

pytestmark = pytest.mark.django_db

MODELS = [
    FrameworkContract,
    ServiceModule,
    RoleRate,
    SLATerm,
    Provider,
    ProviderContact,
    ProviderMembership,
    RankingVersion,
    ProviderRank,
    Authenticator,
]


def seed(**kwargs):
    return seed_demo_contract(password="demo-passwort-123!", totp_secret="JBSWY3DPEHPK3PXP", **kwargs)


def test_it_seeds_the_retainer():
    out = io.StringIO()
    result = seed(stdout=out)

    contract = result["contract"]
    assert contract.title == "Digi-SOS Incident-Response-Retainer"
    assert selectors.active_contract() == contract
    assert contract.ceiling == Decimal("30000000.00") and contract.estimated_value == Decimal("24000000.00")
    assert contract.service_modules.count() == 5 and contract.role_rates.count() == 4
    p1 = contract.sla_terms.get(priority="P1")
    assert (p1.accept_minutes, p1.callback_minutes, p1.remote_start_minutes, p1.onsite_minutes) == (15, 30, 60, 240)
    ranks = list(result["ranking_version"].ranks.order_by("rank").values_list("rank", "provider__short_name"))
    assert [r for r, _ in ranks] == [1, 2, 3, 4]
    lippe = Provider.objects.get(legal_name="Lippe SecOps GmbH")
    assert all(p.billing_gaps() == [] for p in Provider.objects.all())  # each can be sent an XRechnung
    assert lippe.regions == ["Münster", "Detmold", "Arnsberg"]
    assert result["provider_staff"] == [f"dienstleister{n}@demo.digisos.invalid" for n in range(1, 5)]
    assert "MHKBD-IR-2025-001" in out.getvalue()
    for model in (FrameworkContract, ServiceModule, RoleRate, SLATerm, Provider, ProviderContact):
        for obj in model.objects.all():
            obj.full_clean()


def test_the_provider_accounts_can_sign_in_with_mfa():
    seed()
    user = get_user_model().objects.get(email="dienstleister1@demo.digisos.invalid")
    assert user.check_password("demo-passwort-123!")
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert selectors.provider_of(user).legal_name == "Rheinwacht Cyberabwehr GmbH"


def test_running_it_twice_changes_nothing():
    seed()
    counts = {model: model.objects.count() for model in MODELS}
    user = get_user_model().objects.get(email="dienstleister2@demo.digisos.invalid")
    password = user.password

    result = seed_demo_contract(password="ein-anderes-passwort", totp_secret="JBSWY3DPEHPK3PXP")

    assert {model: model.objects.count() for model in MODELS} == counts
    user.refresh_from_db()
    assert user.password == password
    assert result["created"] is False and result["ranking_version"].number == 1
