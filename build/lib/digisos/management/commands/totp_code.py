import time

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import hotp_value
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def current_code(secret: str, at: float | None = None) -> str:
    period = getattr(settings, "MFA_TOTP_PERIOD", 30)
    return f"{hotp_value(secret, int(at or time.time()) // period):06d}"


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo account (DEBUG only)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("totp_code is for demo instances only (DEBUG on).")
        auth = Authenticator.objects.filter(user__email=options["email"], type=Authenticator.Type.TOTP).first()
        if auth is None:
            raise CommandError("No TOTP authenticator for that account.")
        self.stdout.write(current_code(decrypt(auth.data["secret"])))
