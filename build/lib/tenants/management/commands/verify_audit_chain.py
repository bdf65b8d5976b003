from django.core.management.base import BaseCommand, CommandError

from tenants.audit import verify, verify_bound_records


class Command(BaseCommand):
    help = (
        "Verify the audit log: the keyed chain, its head row, the signed checkpoints (AUDIT_CHECKPOINT_FILE "
        "and --checkpoints files, e.g. saved checkpoint e-mails or log extracts) and the records bound to it "
        "(call-off events). Exits non-zero at the first break of the chain or any broken binding."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--checkpoints", nargs="*", default=[], metavar="FILE", help="more files with checkpoint lines"
        )

    def handle(self, *args, **options):
        ok, count, message = verify(checkpoint_files=options["checkpoints"])
        if not ok:
            raise CommandError(f"Audit chain broken after {count} valid entries: {message}")
        problems = verify_bound_records()
        if problems:
            listed = "\n  ".join(problems[:50])
            more = f"\n  … and {len(problems) - 50} more" if len(problems) > 50 else ""
            raise CommandError(f"Audit chain broken: {len(problems)} bound record(s) do not match:\n  {listed}{more}")
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {count} entries."))
