# Provider REST API: API keys, idempotency records, attachments (issue 5).

import uuid

import django.core.serializers.json
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import calloffs.models.api


class Migration(migrations.Migration):

    dependencies = [
        ("calloffs", "0003_calloff_documents"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ProviderApiKey",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("public_id", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("name", models.CharField(blank=True, max_length=100, verbose_name="Bezeichnung")),
                ("prefix", models.CharField(max_length=16, unique=True, verbose_name="Kennung")),
                ("hash", models.CharField(editable=False, max_length=64, unique=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="Erstellt am")),
                ("last_used_at", models.DateTimeField(blank=True, null=True, verbose_name="Zuletzt benutzt")),
                (
                    "expires_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="Gesetzt beim Rotieren: Ende der Übergangszeit.",
                        null=True,
                        verbose_name="Gültig bis",
                    ),
                ),
                ("revoked_at", models.DateTimeField(blank=True, null=True, verbose_name="Widerrufen am")),
                (
                    "account",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="api_keys",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="Technisches Konto",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="Erstellt von",
                    ),
                ),
                (
                    "provider",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="api_keys",
                        to="calloffs.provider",
                        verbose_name="Dienstleister",
                    ),
                ),
                (
                    "replaced_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="calloffs.providerapikey",
                        verbose_name="Ersetzt durch",
                    ),
                ),
                (
                    "revoked_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="Widerrufen von",
                    ),
                ),
            ],
            options={
                "verbose_name": "API-Schlüssel",
                "verbose_name_plural": "API-Schlüssel",
                "ordering": ["provider", "-created_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="IdempotencyRecord",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=255)),
                ("method", models.CharField(max_length=10)),
                ("path", models.CharField(max_length=500)),
                ("fingerprint", models.CharField(max_length=64)),
                (
                    "state",
                    models.CharField(
                        choices=[("in_progress", "In Bearbeitung"), ("done", "Erledigt")],
                        default="in_progress",
                        max_length=12,
                    ),
                ),
                ("response_status", models.PositiveSmallIntegerField(blank=True, null=True)),
                (
                    "response_body",
                    models.JSONField(blank=True, encoder=django.core.serializers.json.DjangoJSONEncoder, null=True),
                ),
                ("response_headers", models.JSONField(blank=True, default=dict)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("expires_at", models.DateTimeField(db_index=True)),
                (
                    "api_key",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="calloffs.providerapikey",
                    ),
                ),
                (
                    "provider",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="calloffs.provider"
                    ),
                ),
            ],
            options={
                "verbose_name": "Idempotenzschlüssel",
                "verbose_name_plural": "Idempotenzschlüssel",
                "constraints": [
                    models.UniqueConstraint(fields=("provider", "key"), name="idempotency_provider_key_unique")
                ],
            },
        ),
        migrations.CreateModel(
            name="CallOffAttachment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("public_id", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                (
                    "kind",
                    models.CharField(
                        choices=[("report", "Bericht"), ("evidence", "Beweismittel")], max_length=10, verbose_name="Art"
                    ),
                ),
                (
                    "file",
                    models.FileField(
                        max_length=300, upload_to=calloffs.models.api.attachment_path, verbose_name="Datei"
                    ),
                ),
                ("original_name", models.CharField(max_length=255, verbose_name="Dateiname")),
                ("content_type", models.CharField(max_length=100, verbose_name="Dateityp")),
                ("size", models.PositiveBigIntegerField(verbose_name="Größe (Bytes)")),
                ("sha256", models.CharField(max_length=64, verbose_name="SHA-256")),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="Hochgeladen am"),
                ),
                (
                    "calloff",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="attachments",
                        to="calloffs.calloff",
                    ),
                ),
                (
                    "provider",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="calloffs.provider"
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "Anhang zum Abruf",
                "verbose_name_plural": "Anhänge zu Abrufen",
                "ordering": ["calloff", "created_at", "id"],
            },
        ),
    ]
