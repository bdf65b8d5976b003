"""The criticality of the critical systems as a choice: ``critical_systems_protection``, the highest
protection need (Schutzbedarf) after BSI IT-Grundschutz (BSI-Standard 200-2: normal, hoch, sehr hoch),
with a CHECK constraint.

The data migration reads the free text the bodies wrote (``critical_systems``, e.g. one line per system
"Einwohnermeldewesen – hoch") and takes the highest level named in it (BSI's maximum principle):
- "sehr hoch", "höchst…", "very high" → sehr_hoch;
- "hoch", "high" → hoch;
- "normal", "mittel", "niedrig", "gering", "medium", "low" → normal;
- text that names none of these → hoch: the safe default. A responder plans for a high protection need
  rather than under-rate a system nobody classified, and BSI-Standard 200-2 advises the higher category
  when in doubt. The body sees the choice on its profile and corrects it;
- no text → "" (not stated).
The profile's version is not raised (nothing the body entered changed; the copies of earlier versions
keep what they held)."""

import re

from django.db import migrations, models

VERY_HIGH = re.compile(r"sehr\s*hoch|höchst|very\s+high", re.IGNORECASE)
HIGH = re.compile(r"\bhoch\b|\bhigh\b", re.IGNORECASE)
NORMAL = re.compile(r"\b(normal|mittel|niedrig|gering|medium|low)\b", re.IGNORECASE)
SAFE_DEFAULT = "hoch"


def protection_from_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        return ""
    if VERY_HIGH.search(text):
        return "sehr_hoch"
    if HIGH.search(text):
        return "hoch"
    if NORMAL.search(text):
        return "normal"
    return SAFE_DEFAULT


def forwards(apps, schema_editor):
    ReadinessProfile = apps.get_model("readiness", "ReadinessProfile")
    for profile in ReadinessProfile.objects.exclude(critical_systems="").only("pk", "critical_systems").iterator():
        value = protection_from_text(profile.critical_systems)
        ReadinessProfile.objects.filter(pk=profile.pk).update(critical_systems_protection=value)


class Migration(migrations.Migration):
    dependencies = [
        ("readiness", "0004_network_overview"),
    ]

    operations = [
        migrations.AddField(
            model_name="readinessprofile",
            name="critical_systems_protection",
            field=models.CharField(
                blank=True,
                choices=[("normal", "normal"), ("hoch", "hoch"), ("sehr_hoch", "sehr hoch")],
                max_length=10,
                verbose_name="Schutzbedarf der kritischen Systeme (der höchste, nach BSI IT-Grundschutz)",
            ),
        ),
        migrations.AddConstraint(
            model_name="readinessprofile",
            constraint=models.CheckConstraint(
                condition=models.Q(("critical_systems_protection__in", ["", "normal", "hoch", "sehr_hoch"])),
                name="readiness_critical_systems_protection_valid",
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
