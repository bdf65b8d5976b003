"""Requests for access of further eligible bodies (a municipal company, an Anstalt, a Stiftung, a
state body): filed on a public form without an account, confirmed by the parent body's
administration (optional), approved or refused by the ministry. Approval enters the body under its
parent (tenants.services.organisation_register) and invites its first administrator. Written only
through onboarding.services (atomic, row-locked, audited). Sits above notifications."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from digisos.plausible import datetime_range_check
from tenants.models import Organisation, OrganisationKind

NAME_MAX = 255
STREET_MAX = 200
CITY_MAX = 100
CONTACT_MAX = 200
EMAIL_MAX = 254
PHONE_MIN, PHONE_MAX = 6, 30
REASON_MIN, REASON_MAX = 10, 2000
#: The proof of eligibility: a PDF or a scan (PNG, JPEG), at most 10 MB.
PROOF_MAX_BYTES = 10 * 1024 * 1024

#: The legal forms that apply on the form (the municipalities and districts are in the registry already).
#: What an applicant may name as its parent: the municipalities, districts and Landschaftsverbände, and
#: the state's ministries and authorities. Not companies, Anstalten or Stiftungen: the public form
#: would otherwise list every onboarded utility and company to anonymous visitors (a list of targets).
PARENT_KINDS = (
    *OrganisationKind.municipal(),
    OrganisationKind.MINISTERIUM,
    OrganisationKind.OBERSTE_LANDESBEHOERDE,
    OrganisationKind.LANDESOBERBEHOERDE,
)


def parent_choices():
    return Organisation.objects.filter(kind__in=PARENT_KINDS).order_by("name")


LEGAL_FORMS = [
    (OrganisationKind.KOMMUNALES_UNTERNEHMEN.value, OrganisationKind.KOMMUNALES_UNTERNEHMEN.label),
    (OrganisationKind.OEFFENTLICH_RECHTLICH.value, OrganisationKind.OEFFENTLICH_RECHTLICH.label),
    (OrganisationKind.LANDESUNTERNEHMEN.value, OrganisationKind.LANDESUNTERNEHMEN.label),
    (OrganisationKind.LANDESBETRIEB.value, OrganisationKind.LANDESBETRIEB.label),
    (OrganisationKind.LANDESOBERBEHOERDE.value, OrganisationKind.LANDESOBERBEHOERDE.label),
    (OrganisationKind.OBERSTE_LANDESBEHOERDE.value, OrganisationKind.OBERSTE_LANDESBEHOERDE.label),
]


def length_between(field: str, low: int, high: int, *, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(GreaterThanOrEqual(Length(field), low)) & Q(LessThanOrEqual(Length(field), high)),
        name=name,
    )


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Eingegangen")
    PARENT_CONFIRMED = "parent_confirmed", _("Von der übergeordneten Stelle bestätigt")
    APPROVED = "approved", _("Freigegeben")
    REFUSED = "refused", _("Abgelehnt")

    @classmethod
    def open(cls) -> tuple[str, ...]:
        return (cls.SUBMITTED, cls.PARENT_CONFIRMED)


class AccessRequestQuerySet(models.QuerySet):
    def visible_to(self, user) -> AccessRequestQuerySet:
        """Ministry: all. The administration of a body: the requests naming it as parent. Others: none."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_ministry_staff:
            return self.all()
        from tenants.models import Role
        from tenants.selectors import roles_of

        return self.filter(parent_id__in=[pk for pk, role in roles_of(user).items() if role == Role.ADMIN])


def proof_upload_to(instance, filename):
    return f"onboarding/{timezone.now():%Y/%m}/{instance.public_id}.bin"


class AccessRequest(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("Name der Stelle"), max_length=NAME_MAX)
    legal_form = models.CharField(_("Rechtsform / Art"), max_length=40, choices=LEGAL_FORMS)
    parent = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("Übergeordnete Stelle (Träger)")
    )
    street = models.CharField(_("Straße und Hausnummer"), max_length=STREET_MAX)
    postcode = models.CharField(_("Postleitzahl"), max_length=5)
    city = models.CharField(_("Ort"), max_length=CITY_MAX)
    contact_name = models.CharField(_("Ansprechperson"), max_length=CONTACT_MAX)
    contact_email = models.EmailField(_("E-Mail-Adresse der Ansprechperson"), max_length=EMAIL_MAX)
    contact_phone = models.CharField(_("Telefonnummer der Ansprechperson"), max_length=PHONE_MAX)
    proof = models.FileField(_("Nachweis der Abrufberechtigung"), upload_to=proof_upload_to, max_length=300)
    proof_name = models.CharField(max_length=255)
    proof_content_type = models.CharField(max_length=100)
    proof_size = models.PositiveBigIntegerField()
    proof_sha256 = models.CharField(max_length=64)
    status = models.CharField(
        _("Status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.SUBMITTED
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    parent_confirmed_at = models.DateTimeField(null=True, blank=True)
    parent_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    refusal_reason = models.TextField(_("Begründung der Ablehnung"), blank=True, max_length=REASON_MAX)
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Angelegte Stelle"),
    )

    objects = AccessRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("Antrag auf Zugang")
        verbose_name_plural = _("Anträge auf Zugang")
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["status", "parent"])]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=RequestStatus.values), name="accessrequest_status_valid"),
            models.CheckConstraint(
                condition=Q(legal_form__in=[value for value, _label in LEGAL_FORMS]),
                name="accessrequest_legal_form_valid",
            ),
            length_between("name", 3, NAME_MAX, name="accessrequest_name_length"),
            length_between("street", 3, STREET_MAX, name="accessrequest_street_length"),
            length_between("postcode", 5, 5, name="accessrequest_postcode_length"),
            length_between("city", 2, CITY_MAX, name="accessrequest_city_length"),
            length_between("contact_name", 3, CONTACT_MAX, name="accessrequest_contact_name_length"),
            length_between("contact_phone", PHONE_MIN, PHONE_MAX, name="accessrequest_contact_phone_length"),
            models.CheckConstraint(
                condition=Q(contact_email__contains="@") & Q(GreaterThanOrEqual(Length("contact_email"), 6)),
                name="accessrequest_contact_email_plausible",
            ),
            models.CheckConstraint(
                condition=Q(proof_size__gte=1, proof_size__lte=PROOF_MAX_BYTES), name="accessrequest_proof_size_range"
            ),
            length_between("refusal_reason", 0, REASON_MAX, name="accessrequest_reason_length"),
            models.CheckConstraint(
                condition=~Q(status=RequestStatus.REFUSED)
                | (Q(GreaterThanOrEqual(Length("refusal_reason"), REASON_MIN)) & Q(decided_at__isnull=False)),
                name="accessrequest_refused_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status=RequestStatus.APPROVED) | Q(organisation__isnull=False, decided_at__isnull=False),
                name="accessrequest_approved_has_body",
            ),
            datetime_range_check("submitted_at", name="accessrequest_submitted_at_plausible", null=False),
            datetime_range_check("parent_confirmed_at", name="accessrequest_confirmed_at_plausible"),
            datetime_range_check("decided_at", name="accessrequest_decided_at_plausible"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.status in RequestStatus.open()

    @property
    def reference(self) -> str:
        return f"Z-{str(self.public_id)[:8].upper()}"
