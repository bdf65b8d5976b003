"""The filing form's widgets rendered with the widget templates of a git revision (before) and of the
working tree (after), alternating in one process, CPU time only (issue 19: per-option includes).

    .venv/bin/python bench/widget_render.py [--rev 8b6495c] [--n 30]

Renders every field of CallOffFilingForm (unsaved modules and bodies: no database) for a caller
(one body, a hidden field) and for ministry staff (429 bodies in a select). A measuring tool only.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WIDGETS = "templates/django/forms/widgets"


def templates_at(rev: str | None, into: Path) -> Path:
    target = into / "django" / "forms" / "widgets"
    target.mkdir(parents=True)
    names = [p.name for p in (ROOT / WIDGETS).glob("*.html")]
    for name in names:
        if rev is None:
            text = (ROOT / WIDGETS / name).read_text()
        else:
            shown = subprocess.run(
                ["git", "show", f"{rev}:{WIDGETS}/{name}"], cwd=ROOT, capture_output=True, text=True, check=False
            )
            if shown.returncode != 0:
                continue  # not there at that revision
            text = shown.stdout
        (target / name).write_text(text)
    return into


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rev", default="8b6495c", help="revision with the widget templates before")
    parser.add_argument("--n", type=int, default=30)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "digisos.settings.test")
    import django

    django.setup()
    from django.forms.renderers import BaseRenderer
    from django.template.backends.django import DjangoTemplates
    from django.utils import translation

    from calloffs.forms import CallOffFilingForm
    from calloffs.models import ServiceModule
    from tenants.models import Organisation

    class Renderer(BaseRenderer):
        def __init__(self, directory: Path):
            config = {"NAME": str(directory), "DIRS": [directory], "APP_DIRS": True, "OPTIONS": {}}
            self.engine = DjangoTemplates(config)

        def get_template(self, template_name):
            return self.engine.get_template(template_name)

    def form(n_bodies: int, renderer) -> CallOffFilingForm:
        modules = [ServiceModule(pk=i, name=f"Modul {i}", unit="hour", price=Decimal("210.00")) for i in range(1, 5)]
        bodies = [Organisation(pk=i, public_id=uuid.UUID(int=i + 1), name=f"Stelle {i}") for i in range(n_bodies)]
        return CallOffFilingForm(
            initial={"client_token": uuid.UUID(int=0)},
            organisations=bodies,
            modules=modules,
            on_behalf=n_bodies > 1,
            renderer=renderer,
        )

    def render(f) -> str:
        return "".join(str(f[name]) for name in f.fields)

    with tempfile.TemporaryDirectory() as tmp, translation.override("de"):
        renderers = {
            "before": Renderer(templates_at(args.rev, Path(tmp) / "before")),
            "after": Renderer(templates_at(None, Path(tmp) / "after")),
        }
        for n_bodies, label in ((1, "caller, one body"), (429, "ministry staff, 429 bodies")):
            html = {k: render(form(n_bodies, r)) for k, r in renderers.items()}
            same = "the same HTML" if html["before"] == html["after"] else "THE HTML DIFFERS"
            times: dict[str, list[float]] = {k: [] for k in renderers}
            for _ in range(args.n):
                for k, r in renderers.items():
                    f = form(n_bodies, r)
                    t0 = time.process_time()
                    render(f)
                    times[k].append(time.process_time() - t0)
            p50 = {k: sorted(v)[len(v) // 2] * 1000 for k, v in times.items()}
            print(
                f"{label}: CPU ms p50 before {p50['before']:.2f}, after {p50['after']:.2f} "
                f"({p50['before'] / p50['after']:.1f}×); {same}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
