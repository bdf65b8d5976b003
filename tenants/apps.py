from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = _("Abrufberechtigte Stellen und Konten")

    def ready(self):
        from . import checks, receivers  # noqa: F401  (registers the checks, connects the audit receivers)
