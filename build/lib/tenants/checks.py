"""System checks of the audit log's configuration (``manage.py check --deploy``)."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def audit_key_check(app_configs, **kwargs):
    """The public development/test audit key must not seal a production chain."""
    key_id = settings.AUDIT_KEYS[0][0]
    if key_id in settings.AUDIT_INSECURE_KEY_IDS:
        return [
            Error(
                f"The audit log is sealed with the public key {key_id!r}.",
                hint="Set AUDIT_KEY_FILE to a file with '<key-id>:<secret>' (docs/SECURITY.md).",
                id="digisos.E001",
            )
        ]
    return []
