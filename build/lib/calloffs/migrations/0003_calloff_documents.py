# Call-off documents (order, proof of work) as PDF: versioned render jobs with SHA-256 (issue 6).

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import calloffs.models.document


class Migration(migrations.Migration):

    dependencies = [
        ("calloffs", "0002_milestones_sla_breach"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CallOffDocument",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("public_id", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("kind", models.CharField(choices=[("order", "Abrufauftrag"), ("proof_of_work", "Leistungsnachweis")], max_length=16, verbose_name="Art")),
                ("version", models.PositiveIntegerField(verbose_name="Version")),
                ("state", models.CharField(choices=[("pending", "In Warteschlange"), ("started", "Wird erstellt"), ("ready", "Bereit"), ("failed", "Fehlgeschlagen")], default="pending", max_length=8, verbose_name="Status")),
                ("reason", models.CharField(blank=True, max_length=200, verbose_name="Anlass")),
                ("file", models.FileField(blank=True, max_length=300, upload_to=calloffs.models.document.document_upload_to, verbose_name="Datei")),
                ("sha256", models.CharField(blank=True, max_length=64, verbose_name="SHA-256")),
                ("size", models.PositiveIntegerField(blank=True, null=True, verbose_name="Größe (Bytes)")),
                ("verify_code", models.CharField(default=calloffs.models.document.new_verify_code, editable=False, max_length=32, unique=True, verbose_name="Prüfcode")),
                ("error", models.TextField(blank=True, verbose_name="Fehler")),
                ("attempts", models.PositiveSmallIntegerField(default=0, verbose_name="Versuche")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="Angefordert am")),
                ("started_at", models.DateTimeField(blank=True, null=True, verbose_name="Begonnen am")),
                ("rendered_at", models.DateTimeField(blank=True, null=True, verbose_name="Erstellt am")),
                ("calloff", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="documents", to="calloffs.calloff", verbose_name="Abruf")),
                ("requested_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="Angefordert von")),
            ],
            options={
                "verbose_name": "Dokument zum Abruf",
                "verbose_name_plural": "Dokumente zu Abrufen",
                "ordering": ["calloff", "kind", "-version"],
                "indexes": [models.Index(condition=models.Q(("state__in", ["pending", "started"])), fields=["created_at"], name="calloff_document_unfinished")],
                "constraints": [
                    models.UniqueConstraint(fields=("calloff", "kind", "version"), name="calloff_document_version_unique"),
                    models.CheckConstraint(condition=models.Q(("version__gte", 1)), name="calloff_document_version_positive"),
                    models.CheckConstraint(condition=models.Q(models.Q(("state", "ready"), _negated=True), models.Q(models.Q(("sha256", ""), _negated=True), models.Q(("file", ""), _negated=True)), _connector="OR"), name="calloff_document_ready_has_file"),
                ],
            },
        ),
    ]
