"""Benchmark: render time of the call-off order (Abrufauftrag) PDF, beside a bare one-page
WeasyPrint document, in the same process and run.

    .venv/bin/python bench/pdf_render.py [--n 100] [--append docs/BENCHMARKS.md]

Sets up a throwaway in-memory SQLite database with the test settings, files and accepts one
call-off through the services (two services, contacts on both sides), then times N renders of

* bare:  ``HTML(string=<one paragraph>).write_pdf()`` with WeasyPrint's defaults;
* order: ``calloffs.documents.order.render_order`` as the Celery task calls it: context from the
  database, template, QR code, PDF/UA-1 tagging, DejaVu subset and embedded;
* order (HTML only): the context and template alone, to show where the time goes;
* the order's words alone: the visible text of the same order as one unstyled paragraph
  (WeasyPrint defaults), the floor of what WeasyPrint costs to set and embed that much text, without the
  order's tables, headings, running heads and tags.

Three warm-up renders of each are not counted. Reports p50, p99 and mean of the wall clock, and p50 and p99 of the
process's CPU time, in ms, and the order's CPU p50 as a multiple of the bare page's in the same run; the target
(issue 19) is met when the order's CPU p50 is at most 60 ms or at most 5 × the bare page's.
"""

from __future__ import annotations

import argparse
import html
import os
import platform
import re
import statistics
import subprocess
import sys
import time
import uuid
from datetime import datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "digisos.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from weasyprint import HTML  # noqa: E402

#: Issue 19: order PDF render (worker CPU) ≤ 60 ms per order, or ≤ 5 × the bare WeasyPrint page.
TARGET_CPU_MS = 60.0
TARGET_RATIO = 5.0
BARE = '<!DOCTYPE html><html lang="de"><head><title>Test</title></head><body><p>Hallo Welt.</p></body></html>'


def words_only(document_html: str) -> str:
    """The visible words of a rendered PDF template (its body) as one unstyled paragraph."""
    body = document_html.split("<body>", 1)[-1]
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())
    head = '<!DOCTYPE html><html lang="de"><head><title>Text</title></head>'
    return f"{head}<body><p>{html.escape(text)}</p></body></html>"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def timed(fn, n: int, warmup: int = 3) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU time (this process) per call, in ms. On a busy machine the wall clock
    includes waiting for a core; the CPU time is what one render costs."""
    for _ in range(warmup):
        fn()
    wall, cpu = [], []
    for _ in range(n):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu


def seed():
    """One accepted call-off with its order document (pending), through the services."""
    import calloffs.services.documents as document_services
    from calloffs import services
    from calloffs.models import CallOffDocument, DocumentKind, Priority, ProviderContact
    from incidents.models import Category
    from tenants.models import Role
    from tests.calloffs.factories import (
        FrameworkContractFactory,
        ProviderFactory,
        ProviderRankFactory,
        ProviderStaffFactory,
        RankingVersionFactory,
        ServiceModuleFactory,
        SLATermFactory,
    )
    from tests.factories import EmergencyContactFactory, MembershipFactory, OrganisationFactory

    document_services.enqueue_render = lambda *, document_id: None  # no broker: rendered here
    contract = FrameworkContractFactory()
    SLATermFactory(contract=contract, priority=Priority.P1)
    remote = ServiceModuleFactory(
        contract=contract, code="IR-REMOTE", name="Remote-Unterstützung", price=Decimal("210.00")
    )
    onsite = ServiceModuleFactory(contract=contract, code="IR-ONSITE", name="Einsatz vor Ort", price=Decimal("240.00"))
    provider = ProviderFactory(
        legal_name="Cyberabwehr Rhein-Ruhr GmbH", street="Kaiserstraße 12", postcode="40213", city="Düsseldorf"
    )
    ProviderContact.objects.create(provider=provider, name="Dr. Paul Forensik", role="Teamleitung", phone="+49 211 1")
    version = RankingVersionFactory(contract=contract, number=1)
    ProviderRankFactory(version=version, provider=provider, rank=1)
    staff = ProviderStaffFactory(provider=provider).user
    body = OrganisationFactory(name="Stadt Musterstadt", street="Markt 1", postcode="50667", city="Köln")
    EmergencyContactFactory(organisation=body)
    caller = MembershipFactory(organisation=body, role=Role.CALLER).user
    calloff = services.calloff_file(
        organisation=body,
        actor=caller,
        client_token=uuid.uuid4(),
        category=Category.RANSOMWARE,
        situation="Fileserver verschlüsselt.",
        operations_halted=True,
        services=[(remote, Decimal("40")), (onsite, Decimal("16"))],
        callback_phone="+49 171 1234567",
        callback_email="notfall@example.org",
    )
    services.offer_accept(
        calloff=calloff, provider=provider, actor=staff, lead_name="Jana Keller", lead_phone="+49 211 5550110"
    )
    return CallOffDocument.objects.get(calloff=calloff, kind=DocumentKind.ORDER)


def machine() -> str:
    def run(cmd: str) -> str:
        try:
            return subprocess.run(cmd, shell=True, capture_output=True, text=True, check=False).stdout.strip()
        except OSError:
            return "n/a"

    return "\n".join(
        [
            f"nproc: {run('nproc')}",
            run("lscpu | head -15"),
            f"Python {platform.python_version()}, WeasyPrint {__import__('weasyprint').__version__}",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--append", help="append the results as a Markdown section to this file")
    args = parser.parse_args()

    load_before = os.getloadavg()
    connection.creation.create_test_db(verbosity=0)
    document = seed()
    from calloffs.documents.order import order_context, render_order
    from calloffs.documents.render import pdf_locale, render_html

    def order_html_only():
        with pdf_locale():
            render_html("pdf/calloff_order.html", order_context(document))

    with pdf_locale():
        words = words_only(render_html("pdf/calloff_order.html", order_context(document)))
    bare_name = "bare one-page document (WeasyPrint defaults)"
    order_name = "call-off order (full: context, template, PDF/UA, fonts)"
    html_name = "call-off order, context and HTML only"
    words_name = "the order's words alone, one unstyled paragraph (WeasyPrint defaults)"
    results = {
        bare_name: timed(lambda: HTML(string=BARE).write_pdf(), args.n),
        order_name: timed(lambda: render_order(document), args.n),
        html_name: timed(order_html_only, args.n),
        words_name: timed(lambda: HTML(string=words).write_pdf(), args.n),
    }
    bare_cpu, order_cpu = statistics.median(results[bare_name][1]), statistics.median(results[order_name][1])
    words_cpu = statistics.median(results[words_name][1])
    html_cpu = statistics.median(results[html_name][1])
    ratio = order_cpu / bare_cpu
    met = order_cpu <= TARGET_CPU_MS or ratio <= TARGET_RATIO
    pdf = render_order(document)
    rows = [
        f"| {name} | {statistics.median(wall):.1f} | {percentile(wall, 99):.1f} | {statistics.mean(wall):.1f} "
        f"| {statistics.median(cpu):.1f} | {percentile(cpu, 99):.1f} |"
        for name, (wall, cpu) in results.items()
    ]
    section = "\n".join(
        [
            f"## PDF rendering: call-off order vs. bare WeasyPrint ({datetime.now().astimezone():%Y-%m-%d %H:%M %Z})",
            "",
            f"`bench/pdf_render.py --n {args.n}`: {args.n} renders each in one process after 3 warm-up renders; "
            f"the order PDF is {len(pdf) / 1024:.0f} KiB, 2 pages. Target (issue 19): order CPU p50 "
            f"≤ {TARGET_CPU_MS:.0f} ms or ≤ {TARGET_RATIO:.0f} × the bare page's.",
            "",
            "| what | p50 ms | p99 ms | mean ms | CPU p50 ms | CPU p99 ms |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
            *rows,
            "",
            f"Order CPU p50 = {ratio:.1f} × the bare page's ({order_cpu:.1f} ms / {bare_cpu:.1f} ms): "
            f"{'✅ target met' if met else '❌ target missed'}.",
            f"Floor of this content: the order's context and HTML ({html_cpu / bare_cpu:.1f} ×) plus its words set as "
            f"one plain paragraph ({words_cpu / bare_cpu:.1f} ×) = {(html_cpu + words_cpu) / bare_cpu:.1f} × the bare "
            "page, before any table, heading, running head or tag.",
            "",
            f"Load average (1 min) before / after the run: {load_before[0]:.2f} / {os.getloadavg()[0]:.2f}.",
            "",
            "Machine:",
            "",
            "```",
            machine(),
            "```",
            "",
        ]
    )
    print(section)
    if args.append:
        path = Path(args.append)
        existing = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
        path.write_text(existing.rstrip("\n") + "\n\n" + section, encoding="utf-8")


if __name__ == "__main__":
    main()
