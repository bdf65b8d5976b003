from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = _("Abrufberechtigte Stellen und Konten")

    def ready(self):
        from allauth.mfa.models import Authenticator
        from django.db.models.signals import post_delete, post_save

        from . import checks, receivers  # noqa: F401  (registers the checks, connects the audit receivers)
        from .middleware import authenticator_changed

        post_save.connect(authenticator_changed, sender=Authenticator, dispatch_uid="tenants.mfa.saved")
        post_delete.connect(authenticator_changed, sender=Authenticator, dispatch_uid="tenants.mfa.deleted")
