from django.core.management.base import BaseCommand, CommandError

from tenants.audit import verify


class Command(BaseCommand):
    help = "Verify the hash chain of the audit log; exits non-zero at the first break."

    def handle(self, *args, **options):
        ok, count, message = verify()
        if not ok:
            raise CommandError(f"Audit chain broken after {count} valid entries: {message}")
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {count} entries."))
