"""Instructions per request of the portal's pages, counted by valgrind's callgrind: repeatable on a
loaded machine, where CPU milliseconds (bench/request_cost.py) are not.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/digisos_bench_NAME \\
        .venv/bin/python bench/request_instructions.py [--requests 10] [--warmup 3] [--cprofile KIND]

Seeds a fresh PostgreSQL database as bench/request_cost.py does (429 bodies, the demo contract, four
providers; dropped and created as there), then runs, in a second process under
``valgrind --tool=callgrind --instr-atstart=no --collect-atstart=no``, one round per caller: the form
(GET /abrufe/neu/, after one not counted: the session's last-seen stamp written before, see
run_rounds), the filing (not counted), the caller's call-off page right after filing, the
provider's accept through the API (not counted), the page again after acceptance, and the bare DRF
view. Only the requests themselves are counted: a tiny C helper (compiled here with gcc against
valgrind's callgrind.h) switches collection on before a request and off after it and dumps its
count. The first ``--warmup`` rounds load templates, imports and connections and are not counted.
Prints, per kind, the median, minimum and maximum instructions per request (PYTHONHASHSEED fixed, and
a garbage collection, not counted, before each request: the same code gives the same counts).

``--cprofile KIND`` runs the same rounds without valgrind and prints a cProfile (calls, own and
cumulative time) of that kind's counted requests: where the instructions go, by Python function.
KIND is one of: form, page, page-accepted, bare. A measuring tool: nothing here is asserted.
"""

from __future__ import annotations

import argparse
import cProfile
import ctypes
import gc
import json
import os
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench.notify_harness import fresh_database, start_redis  # noqa: E402
from bench.request_cost import filing_body, in_process_env  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/digisos_bench_cost"
KINDS = {
    "form": "GET /abrufe/neu/ (form)",
    "page": "GET /abrufe/{id}/ after filing",
    "page-accepted": "GET /abrufe/{id}/ after acceptance",
    "bare": "GET /bench/bare/ (bare DRF view)",
}

#: Switches callgrind's collection on and off around one request and dumps its count under a name.
HELPER_C = r"""
#include <valgrind/callgrind.h>
void counting_start(void) { CALLGRIND_START_INSTRUMENTATION; }
void counting_on(void) { CALLGRIND_TOGGLE_COLLECT; }
void counting_off(const char *name) { CALLGRIND_TOGGLE_COLLECT; CALLGRIND_DUMP_STATS_AT(name); }
"""


def build_helper(tmp: Path) -> Path:
    source, library = tmp / "counting.c", tmp / "libcounting.so"
    source.write_text(HELPER_C)
    subprocess.run(["gcc", "-O1", "-shared", "-fPIC", "-o", str(library), str(source)], check=True)
    return library


class Counter:
    """Around each counted request: callgrind's collection (under valgrind) or a cProfile of one kind."""

    def __init__(self, library: str | None, profile_kind: str | None):
        self.lib = ctypes.CDLL(library) if library else None
        self.profile_kind = profile_kind
        self.profiler = cProfile.Profile() if profile_kind else None
        self.enabled = False

    def start(self) -> None:
        """After the warm-up: instrumentation on (until here the process ran at valgrind's bare speed)."""
        self.enabled = True
        if self.lib is not None:
            self.lib.counting_start()

    def __call__(self, kind: str, fn, *args):
        if not self.enabled:
            return fn(*args)
        # Each request starts with the collector's young generations empty: a collection falls where the
        # request's own allocations bring it, not where the rounds before left the counters.
        gc.collect()
        if self.lib is not None:
            self.lib.counting_on()
            try:
                return fn(*args)
            finally:
                self.lib.counting_off(kind.encode())
        if kind == self.profile_kind:
            self.profiler.enable()
            try:
                return fn(*args)
            finally:
                self.profiler.disable()
        return fn(*args)


def run_rounds(seeded: dict, *, rounds: int, warmup: int, count: Counter) -> None:
    """The measured process: warm-up rounds, then ``rounds`` counted ones (one caller each)."""
    import django

    django.setup()
    from django.test import Client

    from bench.load_mass_incident import LEAD
    from calloffs.models import CallOff, Offer

    web = Client(HTTP_HOST="127.0.0.1")
    bare = Client(HTTP_HOST="127.0.0.1")
    api = Client(HTTP_HOST="127.0.0.1")
    keys = seeded["keys"]
    callers = seeded["callers"][: warmup + rounds]
    assert len(callers) == warmup + rounds, "not enough seeded callers"

    for n, caller in enumerate(callers):
        if n == warmup:
            count.start()
        web.cookies.clear()
        web.cookies["sessionid"] = caller["session"]
        # Not counted: the session's last-seen stamp is written at most once a minute (SessionTimeoutMiddleware),
        # so whether the first request of a round pays that write depends on how long the rounds before took.
        web.get("/abrufe/neu/")
        response = count("form", web.get, "/abrufe/neu/")
        assert response.status_code == 200, response.status_code
        body = filing_body(response.content.decode())  # as bench/request_cost.py posts it
        response = web.post("/abrufe/neu/", body, content_type="application/x-www-form-urlencoded")
        assert response.status_code == 302, (response.status_code, response.content[:2000])
        location = response["Location"]
        response = count("page", web.get, location)
        assert response.status_code == 200, response.status_code

        calloff = CallOff.objects.get(public_id=location.rstrip("/").rsplit("/", 1)[1])
        offer = Offer.objects.select_related("provider").get(calloff=calloff, responded_at__isnull=True)
        response = api.post(
            f"/api/v1/calloffs/{calloff.public_id}/accept/",
            LEAD,
            content_type="application/json",
            headers={"Authorization": f"Bearer {keys[offer.provider.short_name]}"},
        )
        assert response.status_code == 200, response.content[:2000]
        response = count("page-accepted", web.get, location)
        assert response.status_code == 200, response.status_code
        response = count("bare", bare.get, "/bench/bare/")
        assert response.status_code == 200, response.status_code


def read_dumps(out: Path) -> dict[str, list[int]]:
    """{kind: [instructions of each counted request]} from callgrind's dump files."""
    counts: dict[str, list[int]] = {}
    for path in sorted(out.parent.glob(out.name + ".*"), key=lambda p: int(p.suffix[1:])):
        text = path.read_text(errors="replace")
        trigger = re.search(r"^desc: Trigger: Client Request: (\S+)", text, re.M)
        total = re.search(r"^(?:totals|summary): (\d+)", text, re.M)
        if trigger and total:
            counts.setdefault(trigger.group(1), []).append(int(total.group(1)))
    return counts


def report(counts: dict[str, list[int]]) -> None:
    print(f"{'kind':40} {'n':>3} {'median M':>9} {'min M':>8} {'max M':>8}  × bare")
    bare = sorted(counts.get("bare", [0]))[len(counts.get("bare", [0])) // 2]
    for kind, label in KINDS.items():
        values = sorted(counts.get(kind, []))
        if not values:
            print(f"{label:40} not counted")
            continue
        median = values[len(values) // 2]
        ratio = f"{median / bare:6.2f}" if bare else ""
        print(
            f"{label:40} {len(values):3d} {median / 1e6:9.3f} {values[0] / 1e6:8.3f} {values[-1] / 1e6:8.3f}  {ratio}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=10, help="counted rounds (callers)")
    parser.add_argument("--warmup", type=int, default=3, help="rounds before counting")
    parser.add_argument("--cprofile", choices=sorted(KINDS), default="", help="cProfile this kind, no valgrind")
    parser.add_argument("--top", type=int, default=50, help="lines of the cProfile to print")
    parser.add_argument("--each", action="store_true", help="also print every counted request, in order")
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    parser.add_argument("--library", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:  # the measured process (under valgrind, or for --cprofile)
        seeded = json.loads(Path(args.child).read_text())
        count = Counter(args.library or None, args.cprofile or None)
        run_rounds(seeded, rounds=args.requests, warmup=args.warmup, count=count)
        if count.profiler is not None:
            stats = pstats.Stats(count.profiler)
            print(f"cProfile of {args.requests} requests: {KINDS[args.cprofile]}")
            stats.sort_stats("tottime").print_stats(args.top)
            stats.sort_stats("cumulative").print_stats(args.top)
        return 0

    tmp = Path(tempfile.mkdtemp(prefix="digisos-instr-"))
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    redis_proc, redis_port = start_redis(tmp)
    try:
        env = in_process_env(database_url=database_url, redis_port=redis_port, tmp=tmp, PYTHONHASHSEED="0")
        fresh_database(database_url)
        seed_script = (
            "import json, sys, django; django.setup()\n"
            "from django.core.management import call_command\n"
            "from bench.load_mass_incident import seed\n"
            "call_command('migrate', verbosity=0)\n"
            "json.dump(seed('http://127.0.0.1:9/hook'), open(sys.argv[1], 'w'))\n"
        )
        seeded = tmp / "seeded.json"
        subprocess.run([sys.executable, "-c", seed_script, str(seeded)], env=env, cwd=ROOT / "bench", check=True)
        child = [sys.executable, __file__, "--child", str(seeded)]
        child += ["--requests", str(args.requests), "--warmup", str(args.warmup)]
        if args.cprofile:
            subprocess.run([*child, "--cprofile", args.cprofile, "--top", str(args.top)], env=env, check=True)
            return 0
        if not shutil.which("valgrind"):
            raise SystemExit("valgrind is not installed")
        out = tmp / "callgrind.out"
        valgrind = ["valgrind", "--tool=callgrind", "--instr-atstart=no", "--collect-atstart=no"]
        valgrind += [f"--callgrind-out-file={out}", "--dump-instr=no", "--quiet"]
        subprocess.run([*valgrind, *child, "--library", str(build_helper(tmp))], env=env, check=True)
        counts = read_dumps(out)
        report(counts)
        if args.each:
            for kind, values in counts.items():
                print(f"{kind:14}", " ".join(f"{value / 1e6:.3f}" for value in values))
    finally:
        redis_proc.terminate()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
