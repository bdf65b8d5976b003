"""factory_boy factories of the calloffs app."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from calloffs.models import (
    ContractStatus,
    FrameworkContract,
    Priority,
    Provider,
    ProviderMembership,
    ProviderRank,
    RankingVersion,
    RoleRate,
    ServiceModule,
    SLATerm,
    Unit,
)
from tenants.models import Regierungsbezirk
from tests.factories import UserFactory


class FrameworkContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FrameworkContract
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"TEST-IR-{n:04d}")
    title = "Incident-Response-Retainer (Test)"
    contracting_authority = "Ministerium (Test)"
    start_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=365))
    end_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=3 * 365))
    estimated_value = Decimal("1000000.00")
    ceiling = Decimal("1200000.00")
    status = ContractStatus.ACTIVE
    night_surcharge_percent = Decimal("50")
    weekend_surcharge_percent = Decimal("50")


class ServiceModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceModule

    contract = factory.SubFactory(FrameworkContractFactory)
    code = factory.Sequence(lambda n: f"M{n}")
    name = factory.Sequence(lambda n: f"Modul {n}")
    unit = Unit.HOUR
    price = Decimal("200.00")


class RoleRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleRate

    contract = factory.SubFactory(FrameworkContractFactory)
    name = factory.Sequence(lambda n: f"Rolle {n}")
    hourly_rate = Decimal("200.00")


class SLATermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SLATerm

    contract = factory.SubFactory(FrameworkContractFactory)
    priority = Priority.P1
    accept_minutes = 15
    callback_minutes = 30
    remote_start_minutes = 60
    onsite_minutes = 240


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider

    legal_name = factory.Sequence(lambda n: f"Testfirma {n} GmbH")
    short_name = factory.Sequence(lambda n: f"Testfirma {n}")
    hotline = "+49 211 5550000"
    email = factory.Sequence(lambda n: f"hotline{n}@provider.example")
    # Complete billing data, as an XRechnung needs it (seller address, tax registration, IBAN, contact).
    street = "Musterstraße 1"
    postcode = "40210"
    city = "Düsseldorf"
    vat_id = factory.Sequence(lambda n: f"DE{100000000 + n:09d}")
    iban = "DE02120300000000202051"
    bic = "BYLADEM1001"
    billing_contact_name = "Erika Mustermann"
    billing_contact_phone = "+49 211 5550100"
    billing_contact_email = factory.Sequence(lambda n: f"rechnung{n}@provider.example")
    capacity = 3
    regions = factory.LazyFunction(lambda: list(Regierungsbezirk.values))
    active = True


class ProviderStaffFactory(factory.django.DjangoModelFactory):
    """A provider membership; ``.user`` is the provider staff account."""

    class Meta:
        model = ProviderMembership

    user = factory.SubFactory(UserFactory)
    provider = factory.SubFactory(ProviderFactory)


class RankingVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RankingVersion

    contract = factory.SubFactory(FrameworkContractFactory)
    number = factory.Sequence(lambda n: n + 1)
    reason = "Test"


class ProviderRankFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProviderRank

    version = factory.SubFactory(RankingVersionFactory)
    provider = factory.SubFactory(ProviderFactory)
    rank = 1


def a_date(days_ago: int = 0) -> date:
    return timezone.localdate() - timedelta(days=days_ago)
