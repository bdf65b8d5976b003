"""Demo accounts for `make run`. Demo only: the passwords and TOTP secrets are public (README)."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction

from tenants.models import EmergencyContact, Membership, Organisation, Role, User

# Demo only (README), refused when DEBUG is off.
DEMO_PASSWORD = "Digi-SOS-Demo-2026!"  # noqa: S105  # nosec B105
DEMO_ACCOUNTS = [
    # email, first, last, TOTP secret (base32), (body AGS, role) or None for ministry staff
    ("ministerium@demo.digisos.invalid", "Miriam", "Ministerium", "MINISTRYDEMOAAAA", None),
    ("abruf.koeln@demo.digisos.invalid", "Karl", "Köln", "KOELNCALLERDEMOA", ("05315000", Role.CALLER)),
    ("lesen.koeln@demo.digisos.invalid", "Lena", "Köln", "KOELNMEMBERDEMOA", ("05315000", Role.MEMBER)),
    ("admin.olpe@demo.digisos.invalid", "Otto", "Olpe", "OLPEADMINDEMOAAA", ("05966", Role.ADMIN)),
]
PROVIDER_TOTP_SECRET = "PROVIDERDEMOAAAA"  # nosec B105


def ensure_user(email: str, first: str, last: str, secret: str, *, ministry: bool = False) -> User:
    user, created = User.objects.get_or_create(
        email=email, defaults={"first_name": first, "last_name": last, "is_ministry_staff": ministry, "is_demo": True}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, secret)
    return user


@transaction.atomic
def seed_bodies_and_accounts() -> list[tuple[str, str, str]]:
    koeln = Organisation.objects.get(ags="05315000")
    changed = False
    if not koeln.street:
        koeln.street, koeln.postcode, koeln.city = "Rathausplatz 2", "50667", "Köln"
        changed = True
    if not koeln.own_domains:
        koeln.own_domains = "stadt-koeln.de"
        changed = True
    if changed:
        koeln.save()
    olpe = Organisation.objects.get(ags="05966")
    if not olpe.street:
        olpe.street, olpe.postcode, olpe.city, olpe.own_domains = (
            "Westfälische Straße 75",
            "57462",
            "Olpe",
            "kreis-olpe.de",
        )
        olpe.save()
    EmergencyContact.objects.get_or_create(
        organisation=koeln,
        name="Karl Köln",
        defaults={
            "function": "Leitung IT-Sicherheit",
            "mobile": "+49 171 5550101",
            "email": "it-notfall.koeln@example.org",
            "position": 1,
        },
    )
    EmergencyContact.objects.get_or_create(
        organisation=olpe,
        name="Otto Olpe",
        defaults={
            "function": "IT-Leitung",
            "mobile": "+49 160 5550202",
            "email": "otto.olpe.notfall@example.org",
        },
    )
    printed = []
    for email, first, last, secret, target in DEMO_ACCOUNTS:
        user = ensure_user(email, first, last, secret, ministry=target is None)
        if target:
            organisation = Organisation.objects.get(ags=target[0])
            Membership.objects.update_or_create(user=user, organisation=organisation, defaults={"role": target[1]})
            label = f"{target[1]} @ {organisation.name}"
        else:
            label = "Ministerium"
        printed.append((label, email, secret))
    return printed
