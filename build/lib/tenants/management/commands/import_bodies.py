from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tenants.importer import BODIES_FILE, STATE_BODIES_FILE, ImportError_, import_files


class Command(BaseCommand):
    help = "Import the eligible bodies of NRW (429 kommunale Gebietskörperschaften and state bodies)."

    def add_arguments(self, parser):
        parser.add_argument("--bodies", type=Path, default=BODIES_FILE, help="CSV of the municipal bodies")
        parser.add_argument("--state-bodies", type=Path, default=STATE_BODIES_FILE, help="CSV of state bodies")
        parser.add_argument("--no-state-bodies", action="store_true", help="import only the municipal bodies")
        parser.add_argument(
            "--eligible-from",
            type=date.fromisoformat,
            default=date(2025, 6, 1),
            help="eligibility start for newly imported bodies (existing bodies keep theirs)",
        )

    def handle(self, *args, **options):
        try:
            result = import_files(
                bodies=options["bodies"],
                state_bodies=None if options["no_state_bodies"] else options["state_bodies"],
                eligible_from=options["eligible_from"],
            )
        except ImportError_ as exc:
            raise CommandError(f"Import failed, nothing was imported: {exc}") from exc
        except OSError as exc:
            raise CommandError(f"Import failed, nothing was imported: {exc}") from exc
        kinds = ", ".join(f"{k}={v}" for k, v in sorted(result.by_kind.items()))
        self.stdout.write(
            self.style.SUCCESS(
                f"Bodies: {result.created} created, {result.updated} updated, {result.unchanged} unchanged ({kinds})"
            )
        )
