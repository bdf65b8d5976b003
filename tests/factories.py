"""factory_boy factories shared by the whole suite."""

import factory
from allauth.mfa.models import Authenticator
from django.utils import timezone

from tenants.models import EmergencyContact, Membership, Organisation, OrganisationKind, Role, User


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Teststadt {n}")
    source_key = factory.Sequence(lambda n: f"test:{n}")
    kind = OrganisationKind.GEMEINDE
    ags = factory.Sequence(lambda n: f"05{900000 + n:06d}")
    regierungsbezirk = "Köln"
    population = 40000
    eligible_from = factory.LazyFunction(lambda: timezone.localdate().replace(year=2025, month=1, day=1))
    street = "Rathausplatz 1"
    postcode = "50667"
    city = factory.SelfAttribute("name")
    own_domains = factory.LazyAttribute(lambda o: f"{o.source_key.replace(':', '-')}.nrw.example")


class EmergencyContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmergencyContact

    organisation = factory.SubFactory(OrganisationFactory)
    name = "Erika Mustermann"
    function = "IT-Leitung"
    mobile = "+49 171 2345678"
    email = "erika.notfall@example.org"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def mfa(self, create, extracted, **kwargs):
        """Give the account a TOTP authenticator unless mfa=False is passed."""
        self.save()
        if create:
            from allauth.account.models import EmailAddress

            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)
        if create and extracted is not False:
            from allauth.mfa.totp.internal.auth import TOTP

            TOTP.activate(self, "JBSWY3DPEHPK3PXP")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.CALLER


__all__ = [
    "Authenticator",
    "EmergencyContactFactory",
    "MembershipFactory",
    "OrganisationFactory",
    "UserFactory",
]
