"""Demo data: the Digi-SOS retainer with four FICTIONAL providers (no real company is named).

``seed_demo_contract`` is idempotent: everything is looked up by its natural key, and a
second run changes nothing (it neither resets passwords nor publishes another ranking).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from tenants.models import Regierungsbezirk

from .contract_terms import terms_changed
from .models import (
    BILLING_FIELDS,
    ContractStatus,
    FrameworkContract,
    Priority,
    Provider,
    ProviderContact,
    ProviderMembership,
    ProviderRank,
    RankingVersion,
    RoleRate,
    ServiceModule,
    SLATerm,
    Unit,
)

CONTRACT_REFERENCE = "MHKBD-IR-2025-001"
CONTRACT = {
    "title": "Digi-SOS Incident-Response-Retainer",
    "contracting_authority": (
        "Ministerium für Heimat, Kommunales, Bau und Digitalisierung des Landes Nordrhein-Westfalen"
    ),
    "start_date": date(2025, 6, 1),
    "end_date": date(2029, 5, 31),
    "extension_options": "Keine Verlängerungsoption; Höchstlaufzeit nach § 21 Abs. 6 VgV ausgeschöpft.",
    "estimated_value": Decimal("24000000.00"),
    "ceiling": Decimal("30000000.00"),
    "status": ContractStatus.ACTIVE,
    "night_surcharge_percent": Decimal("50.00"),
    "weekend_surcharge_percent": Decimal("50.00"),
    "all_bodies_entitled": True,
}
MODULES = [
    (
        "IR-REMOTE",
        "Soforthilfe per Fernzugriff",
        "Sofortige Unterstützung per Fernzugriff und Telefon.",
        Unit.HOUR,
        "210.00",
    ),
    ("IR-ONSITE", "Einsatz vor Ort", "Einsatzteam vor Ort bei der Stelle.", Unit.HOUR, "240.00"),
    ("FORENSIK", "Forensische Analyse", "Sicherung und Auswertung von Spuren, Angriffsweg.", Unit.HOUR, "230.00"),
    (
        "RECOVERY",
        "Wiederherstellung und Härtung",
        "Wiederaufbau der Systeme, Schließen der Lücken.",
        Unit.DAY,
        "1700.00",
    ),
    (
        "LESSONS",
        "Nachbereitung (Auswertungsgespräch)",
        "Was lief gut, was nicht: mit der Stelle, Abschlussbericht.",
        Unit.FLAT,
        "3500.00",
    ),
]
ROLE_RATES = [
    ("Einsatzleitung", "250.00"),
    ("Vorfallbearbeitung", "195.00"),
    ("IT-Forensik", "225.00"),
    ("Wiederherstellung", "180.00"),
]
SLA = {
    Priority.P1: (15, 30, 60, 240),
    Priority.P2: (30, 60, 240, 1440),
    Priority.P3: (120, 480, 1440, 4320),
}
ALL = list(Regierungsbezirk.values)
PROVIDERS = [
    {
        "legal_name": "Rheinwacht Cyberabwehr GmbH",
        "short_name": "Rheinwacht",
        "street": "Königsallee 100",
        "postcode": "40212",
        "city": "Düsseldorf",
        "hotline": "+49 211 5550100",
        "email": "notfall@rheinwacht.example",
        "capacity": 6,
        "regions": ALL,
        "vat_id": "DE811111110",
        "iban": "DE50300500000001234567",
        "bic": "WELADEDDXXX",
        "billing_contact_name": "Sabine Roth",
        "billing_contact_phone": "+49 211 5550150",
        "billing_contact_email": "rechnung@rheinwacht.example",
        "contact": ("Dr. Jana Keller", "Leitung Incident Response", "+49 211 5550110"),
    },
    {
        "legal_name": "Westfalen Incident Response AG",
        "short_name": "Westfalen IR",
        "street": "Prinzipalmarkt 20",
        "postcode": "48143",
        "city": "Münster",
        "hotline": "+49 251 5550200",
        "email": "sos@westfalen-ir.example",
        "capacity": 4,
        "regions": ALL,
        "vat_id": "DE822222220",
        "iban": "DE23300500000001234568",
        "billing_contact_name": "Jörg Hansen",
        "billing_contact_phone": "+49 251 5550250",
        "billing_contact_email": "buchhaltung@westfalen-ir.example",
        "contact": ("Markus Brandt", "Einsatzleitung", "+49 251 5550210"),
    },
    {
        "legal_name": "Ruhr Forensik & Recovery GmbH",
        "short_name": "Ruhr Forensik",
        "street": "Kettwiger Straße 5",
        "postcode": "45127",
        "city": "Essen",
        "hotline": "+49 201 5550300",
        "email": "hotline@ruhr-forensik.example",
        "capacity": 3,
        "regions": ALL,
        "vat_id": "DE833333330",
        "iban": "DE93300500000001234569",
        "bic": "WELADEDDXXX",
        "billing_contact_name": "Petra Kühn",
        "billing_contact_phone": "+49 201 5550350",
        "billing_contact_email": "rechnung@ruhr-forensik.example",
        "contact": ("Aylin Demir", "Forensik", "+49 201 5550310"),
    },
    {
        "legal_name": "Lippe SecOps GmbH",
        "short_name": "Lippe SecOps",
        "street": "Lange Straße 12",
        "postcode": "32756",
        "city": "Detmold",
        "hotline": "+49 5231 5550400",
        "email": "einsatz@lippe-secops.example",
        "capacity": 2,
        "regions": [Regierungsbezirk.MUENSTER, Regierungsbezirk.DETMOLD, Regierungsbezirk.ARNSBERG],
        "tax_number": "335/5706/0123",
        "iban": "DE66300500000001234570",
        "billing_contact_name": "Tobias Vogt",
        "billing_contact_phone": "+49 5231 5550410",
        "billing_contact_email": "rechnung@lippe-secops.example",
        "contact": ("Tobias Vogt", "Geschäftsführung", "+49 5231 5550410"),
    },
]
STAFF_EMAIL = "dienstleister{n}@demo.digisos.invalid"


def _say(stdout, text: str) -> None:
    if stdout is not None:
        stdout.write(text + "\n")


@transaction.atomic
def seed_demo_contract(*, password: str, totp_secret: str, stdout=None) -> dict:
    """Create the demo contract, its terms, four providers ranked 1–4 and one staff account each
    (TOTP activated with ``totp_secret``). Returns what exists: {"contract", "providers",
    "ranking_version", "provider_staff": [emails], "created": bool}."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    contract, created = FrameworkContract.objects.get_or_create(reference=CONTRACT_REFERENCE, defaults=CONTRACT)
    _say(stdout, f"{'Angelegt' if created else 'Vorhanden'}: Rahmenvertrag {contract.reference}")
    for position, (code, name, description, unit, price) in enumerate(MODULES):
        ServiceModule.objects.get_or_create(
            contract=contract,
            code=code,
            defaults={
                "name": name,
                "description": description,
                "unit": unit,
                "price": Decimal(price),
                "position": position,
            },
        )
    for name, rate in ROLE_RATES:
        RoleRate.objects.get_or_create(contract=contract, name=name, defaults={"hourly_rate": Decimal(rate)})
    for priority, (accept, callback, remote, onsite) in SLA.items():
        SLATerm.objects.get_or_create(
            contract=contract,
            priority=priority,
            defaults={
                "accept_minutes": accept,
                "callback_minutes": callback,
                "remote_start_minutes": remote,
                "onsite_minutes": onsite,
            },
        )

    providers, emails = [], []
    User = get_user_model()
    for n, data in enumerate(PROVIDERS, start=1):
        data = dict(data)
        contact_name, contact_role, contact_phone = data.pop("contact")
        provider, p_created = Provider.objects.get_or_create(legal_name=data["legal_name"], defaults=data)
        if not p_created and provider.billing_gaps():
            # A demo seeded before the billing data existed: fill in what is still empty.
            for name in BILLING_FIELDS:
                if data.get(name) and not getattr(provider, name):
                    setattr(provider, name, data[name])
            provider.save()
        if p_created:
            ProviderContact.objects.create(
                provider=provider, name=contact_name, role=contact_role, phone=contact_phone, email=data["email"]
            )
        providers.append(provider)
        email = STAFF_EMAIL.format(n=n)
        user, u_created = User.objects.get_or_create(
            email=email, defaults={"first_name": "Demo", "last_name": provider.short_name, "is_demo": True}
        )
        if u_created:
            user.set_password(password)
            user.save(update_fields=["password"])
        # Verified and primary, or allauth stops the README login at "Bestätigen Sie Ihre E-Mail-Adresse".
        EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, totp_secret)
        ProviderMembership.objects.get_or_create(user=user, defaults={"provider": provider})
        emails.append(email)
        _say(stdout, f"Dienstleister {provider.short_name}: Konto {email}")

    version = RankingVersion.objects.filter(contract=contract).order_by("-number").first()
    if version is None:
        version = RankingVersion.objects.create(
            contract=contract, number=1, reason="Rangfolge bei Vertragsschluss (Demo)"
        )
        ProviderRank.objects.bulk_create(
            ProviderRank(version=version, provider=p, rank=rank) for rank, p in enumerate(providers, start=1)
        )
        terms_changed()  # bulk_create sends no post_save
        _say(stdout, "Rangfolge v1 veröffentlicht")
    return {
        "contract": contract,
        "providers": providers,
        "ranking_version": version,
        "provider_staff": emails,
        "created": created,
    }
