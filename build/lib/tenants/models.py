"""Eligible bodies (tenants), user accounts, memberships and invitations.

This app imports from no other app of the project; the others depend on it.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from digisos import plausible
from digisos.plausible import date_range_check, number_range_check, order_check, range_validator

from .leitweg import LEITWEG_PATTERN, validate_leitweg_id
from .leitweg import MAX_LENGTH as LEITWEG_MAX_LENGTH

phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 ()/\-]{5,24}$",
    _("Bitte eine Telefonnummer mit Ziffern angeben, z. B. +49 171 2345678."),
)


class Regierungsbezirk(models.TextChoices):
    DUESSELDORF = "Düsseldorf", "Düsseldorf"
    KOELN = "Köln", "Köln"
    MUENSTER = "Münster", "Münster"
    DETMOLD = "Detmold", "Detmold"
    ARNSBERG = "Arnsberg", "Arnsberg"


class OrganisationKind(models.TextChoices):
    KREISFREIE_STADT = "kreisfreie_stadt", _("Kreisfreie Stadt")
    GEMEINDE = "kreisangehoerige_gemeinde", _("Kreisangehörige Stadt/Gemeinde")
    KREIS = "kreis", _("Kreis")
    LANDSCHAFTSVERBAND = "landschaftsverband", _("Landschaftsverband")
    MINISTERIUM = "ministerium", _("Ministerium")
    OBERSTE_LANDESBEHOERDE = "oberste_landesbehoerde", _("Oberste Landesbehörde")
    LANDESOBERBEHOERDE = "landesoberbehoerde", _("Landesoberbehörde")
    LANDESBETRIEB = "landesbetrieb", _("Landesbetrieb")
    OEFFENTLICH_RECHTLICH = "oeffentlich_rechtlich", _("Körperschaft, Anstalt oder Stiftung des öffentlichen Rechts")
    KOMMUNALES_UNTERNEHMEN = "kommunales_unternehmen", _("Kommunales Unternehmen")
    LANDESUNTERNEHMEN = "landesunternehmen", _("Landesunternehmen")

    @classmethod
    def municipal(cls) -> tuple[str, ...]:
        return (cls.KREISFREIE_STADT, cls.GEMEINDE, cls.KREIS, cls.LANDSCHAFTSVERBAND)


class EmailUserManager(UserManager):
    """Creates users by e-mail address; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("is_ministry_staff", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """An account. Login is by e-mail (allauth); accounts exist by invitation only."""

    username = None
    email = models.EmailField(_("E-Mail-Adresse"), unique=True)
    is_ministry_staff = models.BooleanField(
        _("Ministerium"),
        default=False,
        help_text=_("Mitarbeitende des Ministeriums sehen und verwalten alle Stellen und den Rahmenvertrag."),
    )
    #: An account of the public demo data (seed_demo): its password and TOTP secret are in the README,
    #: so it may log in only with DEBUG on or DEMO_MODE=1 (tenants.adapters).
    is_demo = models.BooleanField(_("Demo-Konto"), default=False, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = EmailUserManager()

    class Meta:
        verbose_name = _("Konto")
        verbose_name_plural = _("Konten")

    def __str__(self) -> str:
        full = self.get_full_name()
        return f"{full} <{self.email}>" if full else self.email


class OrganisationQuerySet(models.QuerySet):
    def visible_to(self, user) -> OrganisationQuerySet:
        """The bodies this user may see: all for ministry staff, else those of their memberships."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_ministry_staff:
            return self.all()
        from .selectors import roles_of  # the account's memberships, read once per request

        return self.filter(pk__in=list(roles_of(user)))

    def eligible_on(self, day: date | None = None) -> OrganisationQuerySet:
        day = day or timezone.localdate()
        return self.filter(
            Q(eligible_from__isnull=False, eligible_from__lte=day),
            Q(eligible_until__isnull=True) | Q(eligible_until__gte=day),
        )


class Organisation(models.Model):
    """An eligible body (abrufberechtigte Stelle): the tenant."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source_key = models.CharField(
        _("Importschlüssel"),
        max_length=200,
        unique=True,
        help_text=_("AGS für Gebietskörperschaften, sonst ein stabiler Schlüssel aus dem Namen."),
    )
    name = models.CharField(_("Name"), max_length=255)
    official_name = models.CharField(_("Amtlicher Name"), max_length=255, blank=True)
    kind = models.CharField(_("Art"), max_length=40, choices=OrganisationKind.choices)
    ags = models.CharField(
        _("Amtlicher Gemeindeschlüssel"),
        max_length=8,
        unique=True,
        null=True,
        blank=True,
        help_text=_("8 Ziffern für Gemeinden, der 5-stellige Kreisschlüssel für Kreise."),
        validators=[
            RegexValidator(
                r"^05\d{3}(\d{3})?$",
                _("Ein Schlüssel in NRW beginnt mit 05 und hat 8 Ziffern (Gemeinde) oder 5 (Kreis)."),
            )
        ],
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("Übergeordnete Stelle"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    regierungsbezirk = models.CharField(
        _("Regierungsbezirk"), max_length=20, choices=Regierungsbezirk.choices, blank=True
    )
    population = models.PositiveIntegerField(
        _("Einwohnerzahl"), null=True, blank=True, validators=[range_validator(plausible.POPULATION)]
    )
    eligible_from = models.DateField(
        _("Abrufberechtigt ab"), null=True, blank=True, validators=[plausible.validate_date]
    )
    eligible_until = models.DateField(
        _("Abrufberechtigt bis"), null=True, blank=True, validators=[plausible.validate_date]
    )
    street = models.CharField(_("Straße und Hausnummer"), max_length=200, blank=True)
    postcode = models.CharField(
        _("Postleitzahl"),
        max_length=5,
        blank=True,
        validators=[RegexValidator(r"^\d{5}$", _("Eine Postleitzahl hat fünf Ziffern."))],
    )
    city = models.CharField(_("Ort"), max_length=100, blank=True)
    own_domains = models.CharField(
        _("Eigene E-Mail-Domains"),
        max_length=500,
        blank=True,
        help_text=_("Kommagetrennt, z. B. stadt-koeln.de. Notfallkontakte müssen außerhalb liegen."),
    )
    leitweg_id = models.CharField(
        _("Leitweg-ID"),
        max_length=LEITWEG_MAX_LENGTH,
        blank=True,
        validators=[validate_leitweg_id],
        help_text=_("Adresse für elektronische Rechnungen (XRechnung), z. B. 05315000-ABC123-85."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("Abrufberechtigte Stelle")
        verbose_name_plural = _("Abrufberechtigte Stellen")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(eligible_until__isnull=True)
                | Q(eligible_from__isnull=True)
                | Q(eligible_until__gte=models.F("eligible_from")),
                name="organisation_eligibility_window",
            ),
            models.CheckConstraint(
                condition=Q(leitweg_id="") | Q(leitweg_id__regex=LEITWEG_PATTERN),
                name="organisation_leitweg_id_format",
            ),
            date_range_check("eligible_from", name="organisation_eligible_from_plausible"),
            date_range_check("eligible_until", name="organisation_eligible_until_plausible"),
            number_range_check("population", plausible.POPULATION, name="organisation_population_plausible"),
        ]
        indexes = [models.Index(fields=["kind"]), models.Index(fields=["regierungsbezirk"])]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.eligible_from and self.eligible_until and self.eligible_until < self.eligible_from:
            raise ValidationError({"eligible_until": _("Das Ende der Abrufberechtigung liegt vor ihrem Beginn.")})
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": _("Eine Stelle kann nicht sich selbst übergeordnet sein.")})

    def is_eligible(self, day: date | None = None) -> bool:
        day = day or timezone.localdate()
        if self.eligible_from is None or self.eligible_from > day:
            return False
        return self.eligible_until is None or self.eligible_until >= day

    @property
    def address(self) -> str:
        place = " ".join(part for part in (self.postcode, self.city) if part)
        return ", ".join(part for part in (self.street, place) if part)

    def own_domain_list(self) -> list[str]:
        return [d.strip().lower().lstrip("@") for d in self.own_domains.split(",") if d.strip()]

    def is_own_email(self, email: str) -> bool:
        domain = email.rsplit("@", 1)[-1].lower()
        return any(domain == d or domain.endswith("." + d) for d in self.own_domain_list())


class EmergencyContact(models.Model):
    """An out-of-band contact: reachable when the body's own e-mail and phones are down."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="emergency_contacts")
    name = models.CharField(_("Name"), max_length=200)
    function = models.CharField(_("Funktion"), max_length=200, blank=True)
    mobile = models.CharField(_("Mobilnummer"), max_length=30, validators=[phone_validator])
    email = models.EmailField(_("E-Mail-Adresse außerhalb der eigenen Infrastruktur"), blank=True)
    position = models.PositiveSmallIntegerField(
        _("Reihenfolge"), default=0, validators=[range_validator(plausible.POSITION)]
    )

    class Meta:
        verbose_name = _("Notfallkontakt")
        verbose_name_plural = _("Notfallkontakte")
        ordering = ["organisation", "position", "id"]
        constraints = [
            number_range_check("position", plausible.POSITION, name="emergency_contact_position_plausible", null=False)
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.mobile})"

    def clean(self):
        if self.email and self.organisation_id and self.organisation.is_own_email(self.email):
            raise ValidationError(
                {
                    "email": _(
                        "Diese Adresse liegt in der eigenen Domain der Stelle "
                        "und fällt bei einem Angriff womöglich aus."
                    )
                }
            )


class Role(models.TextChoices):
    ADMIN = "admin", _("Administration der Stelle")
    CALLER = "caller", _("Abrufberechtigt")
    MEMBER = "member", _("Nur lesen")


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("Rolle"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Mitgliedschaft")
        verbose_name_plural = _("Mitgliedschaften")
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"

    @property
    def can_call_off(self) -> bool:
        # A body administrator manages colleagues; filing is a separate, explicit right.
        return self.role in (Role.CALLER, Role.ADMIN)


def invitation_expiry():
    return timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """An invitation to create an account; it expires and works once. Only the hash of its token is stored."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("E-Mail-Adresse"))
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    role = models.CharField(_("Rolle"), max_length=10, choices=Role.choices, blank=True)
    as_ministry_staff = models.BooleanField(_("Als Mitarbeiterin/Mitarbeiter des Ministeriums"), default=False)
    # A grant handled by another app when the invitation is accepted (tenants.signals.invitation_accepted),
    # e.g. grant_kind="provider", grant_key=<provider public_id>: tenants imports no other app.
    grant_kind = models.CharField(max_length=30, blank=True)
    grant_key = models.CharField(max_length=100, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("Einladung")
        verbose_name_plural = _("Einladungen")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(as_ministry_staff=True)
                | (Q(organisation__isnull=False) & ~Q(role=""))
                | (~Q(grant_kind="") & ~Q(grant_key="")),
                name="invitation_has_target",
            )
        ]

    def __str__(self) -> str:
        return self.email

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class AuditEntry(models.Model):
    """Append-only, hash-chained record of security-relevant actions (tenants.audit writes it).

    Each entry's ``entry_hash`` is an HMAC (key ``key_id`` of settings.AUDIT_KEYS, kept outside the
    database) over its content and the previous entry's hash, so a changed, deleted or inserted row
    breaks the chain and cannot be re-sealed without the key; signed checkpoints outside the database
    reveal removed newest entries. ``manage.py verify_audit_chain`` checks both (docs/SECURITY.md).
    Labels (e-mail, body name) are snapshots: the chain does not depend on rows that may be deleted.
    """

    sequence = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=60, db_index=True)
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    organisation_label = models.CharField(max_length=255, blank=True)
    target = models.CharField(max_length=255, blank=True)
    details = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)
    #: Which key of settings.AUDIT_KEYS sealed the entry (keys are rotated; old ones keep verifying).
    key_id = models.CharField(max_length=32, default="")

    class Meta:
        verbose_name = _("Protokolleintrag")
        verbose_name_plural = _("Protokoll")
        ordering = ["-sequence"]

    def __str__(self) -> str:
        return f"{self.sequence} {self.at:%Y-%m-%d %H:%M} {self.action} {self.target}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("audit entries are append-only")
        super().save(*args, **kwargs)


class AuditChainHead(models.Model):
    """A single row, locked while an entry is appended, so the chain has one order."""

    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"{self.last_sequence}: {self.last_hash[:12]}"


class MandateQuerySet(models.QuerySet):
    def in_force(self, day: date | None = None):
        day = day or timezone.localdate()
        return self.filter(Q(valid_from__lte=day), Q(valid_until__isnull=True) | Q(valid_until__gte=day))


class Mandate(models.Model):
    """A standing relation between a principal body (a Kreis, a municipal IT association or a shared
    municipal IT provider) and a member body it serves; optionally a mandate to file call-offs for it."""

    principal = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="mandates_held", verbose_name=_("Beauftragte Stelle")
    )
    member = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="mandates_given", verbose_name=_("Mitglied")
    )
    may_file_calloffs = models.BooleanField(_("Darf Abrufe im Auftrag stellen"), default=False)
    valid_from = models.DateField(_("Gültig ab"), default=timezone.localdate, validators=[plausible.validate_date])
    valid_until = models.DateField(_("Gültig bis"), null=True, blank=True, validators=[plausible.validate_date])
    note = models.CharField(_("Grundlage (z. B. Satzung, Vereinbarung)"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MandateQuerySet.as_manager()

    class Meta:
        verbose_name = _("Mandat")
        verbose_name_plural = _("Mandate")
        constraints = [
            models.UniqueConstraint(fields=["principal", "member"], name="mandate_unique"),
            models.CheckConstraint(condition=~Q(principal=models.F("member")), name="mandate_not_self"),
            date_range_check("valid_from", name="mandate_valid_from_plausible", null=False),
            date_range_check("valid_until", name="mandate_valid_until_plausible"),
            order_check("valid_from", "valid_until", name="mandate_validity_order"),
        ]

    def __str__(self) -> str:
        return f"{self.principal} → {self.member}"

    def clean(self):
        start_label = self._meta.get_field("valid_from").verbose_name
        plausible.check_field(
            "valid_until", plausible.check_order, self.valid_from, end=self.valid_until, start_label=start_label
        )
