"""The critical systems as rows (``CriticalSystem``: name, what depends on it, protection need after
BSI-Standard 200-2, position), no longer one free text; ``critical_systems_protection`` stays as the
highest protection need of the rows (derived, written by the service).

The data migration turns the free text into rows:
- one row per non-empty line, in the order of the lines (the line, stripped, is the name; a line
  longer than the name may be keeps its first 119 characters and "…" as the name and the whole line,
  cut to 300 characters, as the description);
- the protection need of each row is the profile-wide one (``critical_systems_protection``, which
  migration 0005 derived from the text) or, where that is empty, "hoch": the documented safe default
  (a responder plans for a high protection need rather than under-rate a system nobody classified;
  BSI-Standard 200-2 advises the higher category when in doubt). The body corrects it per row;
- more lines than rows allowed (50): the 50th row gathers the rest ("Weitere Systeme aus der
  bisherigen Liste", the lines joined with "; " as its description, cut to 300 characters);
- the profile-wide field is set to the highest need of the rows (so: unchanged, or "hoch").
The profile's version is not raised (nothing the body entered changed); the copies of earlier
versions keep the free text as they held it. Backwards: the rows become lines "name – need" again."""

from django.db import migrations, models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual

MAX_ROWS = 50
NAME_MAX = 120
DESCRIPTION_MAX = 300
SAFE_DEFAULT = "hoch"
REST_NAME = "Weitere Systeme aus der bisherigen Liste"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def rows_from_text(text: str, protection: str) -> list[dict]:
    """The rows one free text becomes (see the module's docstring)."""
    protection = protection or SAFE_DEFAULT
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    rest = []
    if len(lines) > MAX_ROWS:
        lines, rest = lines[: MAX_ROWS - 1], lines[MAX_ROWS - 1 :]
    rows = []
    for line in lines:
        long = len(line) > NAME_MAX
        rows.append(
            {
                "name": _cut(line, NAME_MAX),
                "description": _cut(line, DESCRIPTION_MAX) if long else "",
                "protection": protection,
            }
        )
    if rest:
        rows.append({"name": REST_NAME, "description": _cut("; ".join(rest), DESCRIPTION_MAX), "protection": protection})
    return rows


def forwards(apps, schema_editor):
    ReadinessProfile = apps.get_model("readiness", "ReadinessProfile")
    CriticalSystem = apps.get_model("readiness", "CriticalSystem")
    profiles = ReadinessProfile.objects.exclude(critical_systems="").only(
        "pk", "critical_systems", "critical_systems_protection"
    )
    for profile in profiles.iterator():
        rows = rows_from_text(profile.critical_systems, profile.critical_systems_protection)
        CriticalSystem.objects.bulk_create(
            CriticalSystem(profile_id=profile.pk, position=position, **row) for position, row in enumerate(rows)
        )
        highest = rows[0]["protection"] if rows else ""
        ReadinessProfile.objects.filter(pk=profile.pk).update(critical_systems_protection=highest)
    # A profile whose text was blank has no row and so no protection need.
    ReadinessProfile.objects.filter(critical_systems="").update(critical_systems_protection="")


def backwards(apps, schema_editor):
    ReadinessProfile = apps.get_model("readiness", "ReadinessProfile")
    CriticalSystem = apps.get_model("readiness", "CriticalSystem")
    labels = {"normal": "normal", "hoch": "hoch", "sehr_hoch": "sehr hoch"}
    for profile in ReadinessProfile.objects.only("pk").iterator():
        rows = CriticalSystem.objects.filter(profile_id=profile.pk).order_by("position")
        text = "\n".join(f"{row.name} – {labels[row.protection]}" for row in rows)[:4000]
        ReadinessProfile.objects.filter(pk=profile.pk).update(critical_systems=text)


class Migration(migrations.Migration):
    dependencies = [
        ("readiness", "0005_critical_systems_protection"),
    ]

    operations = [
        migrations.CreateModel(
            name="CriticalSystem",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("position", models.PositiveSmallIntegerField(verbose_name="Position")),
                ("name", models.CharField(max_length=120, verbose_name="System oder Dienst")),
                (
                    "description",
                    models.CharField(
                        blank=True, max_length=300, verbose_name="Was hängt davon ab? (Kurzbeschreibung)"
                    ),
                ),
                (
                    "protection",
                    models.CharField(
                        choices=[("normal", "normal"), ("hoch", "hoch"), ("sehr_hoch", "sehr hoch")],
                        max_length=10,
                        verbose_name="Schutzbedarf",
                    ),
                ),
                (
                    "profile",
                    models.ForeignKey(
                        on_delete=models.deletion.CASCADE, related_name="systems", to="readiness.readinessprofile"
                    ),
                ),
            ],
            options={
                "verbose_name": "Kritisches System",
                "verbose_name_plural": "Kritische Systeme",
                "ordering": ["profile", "position"],
                "constraints": [
                    models.UniqueConstraint(fields=("profile", "position"), name="readiness_system_position_unique"),
                    models.CheckConstraint(condition=Q(position__lt=50), name="readiness_system_position_range"),
                    models.CheckConstraint(
                        condition=Q(GreaterThanOrEqual(Length("name"), 1)) & Q(LessThanOrEqual(Length("name"), 120)),
                        name="readiness_system_name_length",
                    ),
                    models.CheckConstraint(
                        condition=Q(LessThanOrEqual(Length("description"), 300)),
                        name="readiness_system_description_length",
                    ),
                    models.CheckConstraint(
                        condition=Q(protection__in=["normal", "hoch", "sehr_hoch"]),
                        name="readiness_system_protection_valid",
                    ),
                ],
            },
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveConstraint(model_name="readinessprofile", name="readiness_critical_systems_length"),
        migrations.RemoveField(model_name="readinessprofile", name="critical_systems"),
    ]
