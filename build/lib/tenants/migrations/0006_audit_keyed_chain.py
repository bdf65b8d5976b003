"""The audit chain becomes keyed (HMAC-SHA256 with settings.AUDIT_KEYS, which is not in the
database). The entries written so far are re-sealed with the current key, in their order: this
vouches for them as they are at the time of the migration (verify the old chain before migrating:
``manage.py verify_audit_chain`` of the previous release)."""

import hashlib
import hmac
import json
from datetime import UTC

from django.conf import settings
from django.db import migrations, models


def _seal(entry, *, prev, key_id, key):
    payload = {
        "sequence": entry.sequence,
        "at": entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": entry.actor_label,
        "action": entry.action,
        "organisation": entry.organisation_label,
        "target": entry.target,
        "details": entry.details,
        "prev": prev,
        "key": key_id,
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    return hmac.new(key, blob, hashlib.sha256).hexdigest()


def reseal(apps, schema_editor):
    AuditEntry = apps.get_model("tenants", "AuditEntry")
    AuditChainHead = apps.get_model("tenants", "AuditChainHead")
    key_id, secret = settings.AUDIT_KEYS[0]
    key = secret.encode()
    prev, last = "0" * 64, 0
    for entry in AuditEntry.objects.order_by("sequence").iterator(chunk_size=2000):
        digest = _seal(entry, prev=prev, key_id=key_id, key=key)
        AuditEntry.objects.filter(pk=entry.pk).update(prev_hash=prev, entry_hash=digest, key_id=key_id)
        prev, last = digest, entry.sequence
    if last:
        AuditChainHead.objects.update_or_create(pk=1, defaults={"last_sequence": last, "last_hash": prev})


class Migration(migrations.Migration):
    dependencies = [("tenants", "0005_invitation_grant")]

    operations = [
        migrations.AddField("auditentry", "key_id", models.CharField(default="", max_length=32)),
        migrations.RunPython(reseal, migrations.RunPython.noop),
    ]
