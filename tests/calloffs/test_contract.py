"""The contract and its terms: validation, entitlement, administration by the ministry (audited)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from calloffs.contract import services
from calloffs.errors import InvalidInput, NotPermitted
from calloffs.models import ContractStatus, FrameworkContract, Provider, ProviderMembership, ServiceModule, SLATerm
from tenants.models import AuditEntry
from tests.calloffs.factories import FrameworkContractFactory, ProviderFactory, ServiceModuleFactory
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def errors_of(instance) -> dict:
    with pytest.raises(ValidationError) as exc:
        instance.full_clean()
    return exc.value.message_dict


# --- Validation ------------------------------------------------------------------------------


def test_the_end_must_follow_the_start():
    contract = FrameworkContractFactory.build(start_date=date(2026, 1, 1), end_date=date(2025, 12, 31))
    assert errors_of(contract)["end_date"] == ["Das Laufzeitende muss nach dem Laufzeitbeginn liegen."]


def test_the_ceiling_may_not_be_below_the_estimate():
    contract = FrameworkContractFactory.build(estimated_value=Decimal("10"), ceiling=Decimal("9.99"))
    assert "Höchstwert darf nicht unter" in errors_of(contract)["ceiling"][0]


def test_amounts_and_surcharges_may_not_be_negative():
    contract = FrameworkContractFactory.build(
        estimated_value=Decimal("-1"), ceiling=Decimal("5"), night_surcharge_percent=Decimal("-5")
    )
    errors = errors_of(contract)
    assert "Der Wert muss zwischen 0,00 und 999.999.999.999,99 liegen." in errors["estimated_value"]
    assert "Der Wert muss zwischen 0,00 und 500,00 liegen." in errors["night_surcharge_percent"]


def test_a_negative_price_or_rate_is_refused(contract):
    module = ServiceModuleFactory.build(contract=contract, price=Decimal("-0.01"))
    assert "Der Wert muss zwischen 0,00 und 1.000.000,00 liegen." in errors_of(module)["price"]


def test_sla_minutes_must_be_positive(contract):
    term = SLATerm(
        contract=contract, priority="P1", accept_minutes=0, callback_minutes=1, remote_start_minutes=1, onsite_minutes=1
    )
    assert "accept_minutes" in errors_of(term)


def test_the_database_enforces_the_contract_rules(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        FrameworkContractFactory(start_date=date(2026, 1, 1), end_date=date(2026, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        FrameworkContractFactory(estimated_value=Decimal("10"), ceiling=Decimal("5"))
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceModuleFactory(price=Decimal("-1"))


@pytest.mark.parametrize(
    ("regions", "message"),
    [
        ([], "nicht leer"),
        (["Köln", "Bonn"], "Unbekannter Regierungsbezirk: Bonn"),
        (["Köln", "Köln"], "nur einmal"),
        ("Köln", "mindestens einen"),
    ],
)
def test_provider_regions_are_validated(db, regions, message):
    provider = ProviderFactory.build(regions=regions)
    assert message in " ".join(errors_of(provider)["regions"])


def test_a_provider_serves_its_regions(db):
    provider = ProviderFactory.build(regions=["Münster"])
    assert provider.serves("Münster") and not provider.serves("Köln")
    assert provider.serves("")  # a body without a Regierungsbezirk (e.g. a state body)


# --- Entitlement -----------------------------------------------------------------------------


def test_is_entitled(contract, org_a, org_b):
    assert contract.is_entitled(org_a)
    contract.all_bodies_entitled = False
    contract.save()
    contract.entitled_bodies.add(org_b)
    assert not contract.is_entitled(org_a) and contract.is_entitled(org_b)


def test_a_body_must_be_eligible_on_the_day(contract, org_a):
    today = timezone.localdate()
    org_a.eligible_from = today + timedelta(days=1)
    assert not contract.is_entitled(org_a)
    assert contract.is_entitled(org_a, day=today + timedelta(days=1))
    org_a.eligible_from, org_a.eligible_until = date(2025, 1, 1), today - timedelta(days=1)
    assert not contract.is_entitled(org_a)


def test_a_contract_must_be_active_and_in_term(contract, org_a):
    assert not contract.is_entitled(org_a, day=contract.end_date + timedelta(days=1))
    assert not contract.is_entitled(org_a, day=contract.start_date - timedelta(days=1))
    for status in (ContractStatus.DRAFT, ContractStatus.EXPIRED, ContractStatus.TERMINATED):
        contract.status = status
        assert not contract.is_entitled(org_a)


def test_setting_entitled_bodies(contract, ministry, alice, org_a, org_b):
    with pytest.raises(NotPermitted):
        services.contract_set_entitled_bodies(contract=contract, actor=alice, all_bodies_entitled=False, bodies=[org_a])
    with pytest.raises(InvalidInput):
        services.contract_set_entitled_bodies(contract=contract, actor=ministry, all_bodies_entitled=False)

    services.contract_set_entitled_bodies(contract=contract, actor=ministry, all_bodies_entitled=False, bodies=[org_b])

    contract.refresh_from_db()
    assert not contract.all_bodies_entitled and list(contract.entitled_bodies.all()) == [org_b]
    entry = AuditEntry.objects.get(action="contract.entitled_bodies_changed")
    assert entry.details["added"] == ["Stadt B"] and entry.actor == ministry


# --- Administration --------------------------------------------------------------------------


def test_only_the_ministry_administers_the_contract(contract, alice, setup):
    for user in (alice, setup.staff[0]):
        with pytest.raises(NotPermitted):
            services.contract_update(contract=contract, actor=user, title="Neu")
        with pytest.raises(NotPermitted):
            services.service_module_save(module=ServiceModuleFactory.build(contract=contract), actor=user)
        with pytest.raises(NotPermitted):
            services.provider_save(provider=ProviderFactory.build(), actor=user)
    contract.refresh_from_db()
    assert contract.title != "Neu"
    assert not AuditEntry.objects.exists()


def test_contract_update_is_validated_and_audited(contract, ministry):
    old_ceiling = contract.ceiling
    with pytest.raises(ValidationError):
        services.contract_update(contract=contract, actor=ministry, ceiling=Decimal("1"))
    contract.refresh_from_db()
    assert contract.ceiling == old_ceiling

    services.contract_update(contract=contract, actor=ministry, ceiling=Decimal("2000000.00"), title="Neu")

    contract.refresh_from_db()
    assert (contract.ceiling, contract.title) == (Decimal("2000000.00"), "Neu")
    entry = AuditEntry.objects.get(action="contract.updated")
    assert entry.details["changes"]["ceiling"] == [str(old_ceiling), "2000000.00"]


def test_contract_update_without_change_writes_nothing(contract, ministry):
    services.contract_update(contract=contract, actor=ministry, title=contract.title)
    assert not AuditEntry.objects.exists()


def test_contract_update_refuses_unknown_fields(contract, ministry):
    with pytest.raises(InvalidInput, match="public_id"):
        services.contract_update(contract=contract, actor=ministry, public_id="x")


def test_contract_create(ministry):
    contract = services.contract_create(
        actor=ministry,
        reference="NEU-1",
        title="Neu",
        contracting_authority="MHKBD",
        start_date=date(2026, 1, 1),
        end_date=date(2029, 12, 31),
        estimated_value=Decimal("100"),
        ceiling=Decimal("200"),
    )
    assert FrameworkContract.objects.get(reference="NEU-1") == contract
    assert AuditEntry.objects.filter(action="contract.created", target="NEU-1").exists()


def test_saving_modules_rates_terms_and_providers_is_audited(contract, ministry):
    module = services.service_module_save(
        module=ServiceModule(contract=contract, code="X", name="X", unit="hour", price=Decimal("100")),
        actor=ministry,
    )
    module.price = Decimal("120")
    services.service_module_save(module=module, actor=ministry)
    change = AuditEntry.objects.filter(action="contract.service_module_saved").order_by("id").last()
    assert change.details["changes"] == {"price": ["100.00", "120"]}
    with pytest.raises(ValidationError):
        services.service_module_save(
            module=ServiceModule(contract=contract, code="X", name="Dup", price=1), actor=ministry
        )

    provider = services.provider_save(provider=ProviderFactory.build(regions=["Detmold"]), actor=ministry)
    assert Provider.objects.get(pk=provider.pk).regions == ["Detmold"]
    with pytest.raises(ValidationError):
        services.provider_save(provider=ProviderFactory.build(regions=["Bonn"]), actor=ministry)


def test_provider_staff_hold_no_other_role(ministry, org_a):
    provider = ProviderFactory()
    user = UserFactory()
    services.provider_membership_add(provider=provider, user=user, actor=ministry)
    assert ProviderMembership.objects.get(user=user).provider == provider
    with pytest.raises(InvalidInput, match="bereits für einen Dienstleister"):
        services.provider_membership_add(provider=ProviderFactory(), user=user, actor=ministry)
    body_user = MembershipFactory(organisation=OrganisationFactory()).user
    with pytest.raises(InvalidInput, match="Stelle"):
        services.provider_membership_add(provider=provider, user=body_user, actor=ministry)
    with pytest.raises(InvalidInput):
        services.provider_membership_add(provider=provider, user=ministry, actor=ministry)
