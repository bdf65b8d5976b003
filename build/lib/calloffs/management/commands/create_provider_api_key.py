"""manage.py create_provider_api_key <provider> [--name NAME]: prints only the new key.

<provider> is the provider's short name (e.g. "Rheinwacht" in the demo) or its public id. For operators on the
server (bootstrapping, CI); in everyday use ministry staff issue keys in the portal.
"""

from __future__ import annotations

import uuid

from django.core.management.base import BaseCommand, CommandError

from calloffs.errors import CallOffError
from calloffs.models import Provider
from calloffs.services.api_keys import api_key_create


class Command(BaseCommand):
    help = "Create an API key for a provider and print it (only the key; it is shown once)."

    def add_arguments(self, parser):
        parser.add_argument("provider", help="short name or public id of the provider")
        parser.add_argument("--name", default="", help="a label for the key, e.g. the provider's system")

    def handle(self, *args, provider: str, name: str, **options):
        try:
            found = Provider.objects.filter(public_id=uuid.UUID(provider))
        except ValueError:
            found = Provider.objects.filter(short_name=provider)
        if found.count() != 1:
            raise CommandError(f"No single provider matches {provider!r}.")
        try:
            new = api_key_create(provider=found.get(), actor=None, name=name, system=True)
        except CallOffError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(new.raw)
