from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tenants.demo import DEMO_PASSWORD, PROVIDER_TOTP_SECRET, seed_bodies_and_accounts
from tenants.models import Organisation

from ...demo import seed_demo_contract


class Command(BaseCommand):
    help = "Create the demo accounts and the demo contract (refused when DEBUG is off)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="allow with DEBUG off (throwaway instances only)")

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "seed_demo is refused when DEBUG is off: demo passwords are public. On a throwaway "
                "instance, run it again with --force."
            )
        if not Organisation.objects.filter(ags="05315000").exists():
            raise CommandError("Run `manage.py import_bodies` first.")
        accounts = seed_bodies_and_accounts()
        result = seed_demo_contract(password=DEMO_PASSWORD, totp_secret=PROVIDER_TOTP_SECRET)
        for email in result.get("provider_staff", []):
            accounts.append(("Dienstleister", email, PROVIDER_TOTP_SECRET))
        self.stdout.write(self.style.SUCCESS("Demo accounts (demo only!) — password for all: " + DEMO_PASSWORD))
        for label, email, secret in accounts:
            self.stdout.write(f"  {label:<40} {email:<42} TOTP secret {secret}")
        self.stdout.write(
            "Add the TOTP secret to an authenticator app, or compute a code: "
            "`python manage.py totp_code <email>` (DEBUG only)."
        )
