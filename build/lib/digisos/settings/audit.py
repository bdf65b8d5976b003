"""The audit log's key and its checkpoints outside the database. See .env.example and docs/SECURITY.md."""

from django.core.exceptions import ImproperlyConfigured

from .parsers import env_bool, env_int, env_keyring, env_list, env_str
from .paths import VAR_DIR as _var_dir

#: Key ids of keys that are public (in this repository): refused by `check --deploy` and with DEBUG off.
AUDIT_INSECURE_KEY_IDS = ("dev-insecure", "test-only", "bench-only")

# HMAC keys of the audit chain, the newest first ("<key-id>:<secret>", one a line), normally from the
# file named by AUDIT_KEY_FILE. Keep the file away from whoever administers the database: with the key,
# a chain can be rewritten; without it, every change is found (docs/SECURITY.md).
AUDIT_KEYS = env_keyring("AUDIT_KEY")
if not AUDIT_KEYS:
    if not env_bool("DEBUG", False):
        raise ImproperlyConfigured("AUDIT_KEY_FILE (or AUDIT_KEY) is required when DEBUG is off (docs/SECURITY.md).")
    AUDIT_KEYS = [("dev-insecure", "insecure-dev-only-audit-key-never-use-in-production")]  # nosec B105

# Signed checkpoints (head sequence + hash) go to the log, are appended to this file (empty: none)
# and are e-mailed to AUDIT_CHECKPOINT_EMAIL (the address the ministry names; empty: none).
AUDIT_CHECKPOINT_FILE = env_str("AUDIT_CHECKPOINT_FILE", str(_var_dir / "audit-checkpoints.jsonl"))
AUDIT_CHECKPOINT_EMAIL = env_list("AUDIT_CHECKPOINT_EMAIL", [])
AUDIT_CHECKPOINT_SECONDS = env_int("AUDIT_CHECKPOINT_SECONDS", 300, minimum=10)
AUDIT_CHECKPOINT_EMAIL_SECONDS = env_int("AUDIT_CHECKPOINT_EMAIL_SECONDS", 86400, minimum=60)

AUDIT_BEAT_SCHEDULE = {
    "audit-checkpoint": {
        "task": "calloffs.tasks.audit.audit_checkpoint",
        "schedule": float(AUDIT_CHECKPOINT_SECONDS),
        "options": {"expires": AUDIT_CHECKPOINT_SECONDS},
    },
    "audit-checkpoint-mail": {
        "task": "calloffs.tasks.audit.audit_checkpoint",
        "schedule": float(AUDIT_CHECKPOINT_EMAIL_SECONDS),
        "kwargs": {"email": True},
        "options": {"expires": AUDIT_CHECKPOINT_EMAIL_SECONDS},
    },
}
