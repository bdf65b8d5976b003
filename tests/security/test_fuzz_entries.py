"""Issue 14 "Across the class": every portal form and every API write, driven with extreme values.

The forms are found, not listed: each persona opens every page of the access matrix that it may
see, and every ``<form method="post">`` on it is filled by hypothesis, field by field, with values
chosen for the field's type: dates and times at the ends of the plausible range and beyond, huge,
negative and non-finite numbers, empty and very long strings, control characters, and the ids of
another tenant's objects. The API writes get the same treatment as JSON. Nothing may answer 5xx,
and afterwards every list page and the situation picture still answer 200 for every persona.

Bounded for CI: a few examples per form (``EXAMPLES``), no shrinking database, no deadline.
"""

from __future__ import annotations

import uuid
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from tests.security.access_world import _kwargs
from tests.security.access_world import world as world  # noqa: F401, PLC0414  (fixture)
from tests.security.test_access_matrix import MATRIX

pytestmark = pytest.mark.django_db

EXAMPLES = 3
PERSONAS = ["caller", "member", "admin", "outsider", "provider1", "provider2", "ministry"]
#: Forms whose submission would end the persona's session or switch the language for the rest of the run.
SKIP_ACTIONS = ("/accounts/", "/i18n/", "logout", "abmelden")
#: Pages that are files, not HTML with forms.
SKIP_PAGES = (".pdf", ".csv", "download", "anhaenge/", "anlagen/", "dokumente/", "/api/")

DATES = [
    "0001-01-01",
    "1999-12-31",
    "2000-01-01",
    "2099-12-31",
    "2100-01-01",
    "9999-12-31",
    "2026-02-30",
    "01.01.2000",
    "",
    "heute",
]
MOMENTS = [
    "0001-01-01T00:00",
    "1999-12-31T23:59",
    "2000-01-01T00:00",
    "2099-12-31T23:59",
    "9999-12-31T23:59",
    "2025-06-01T12:00",
    "2025-13-01T25:61",
    "",
    "31.12.9999 23:59",
    "0000-00-00T00:00",
]
NUMBERS = [
    "-1",
    "0",
    "0,001",
    "1e999999",
    "-1e999999",
    "NaN",
    "Infinity",
    "99999999999999999999999",
    "1.000.000.000.000,00",
    "24,01",
    "",
    "1" * 400,
]
NASTY_TEXT = ["", " ", "\x00", "\x1b[31m\x07", "A" * 20_000, "<script>alert(1)</script>", "😀" * 50, "\r\n" * 50]


def text_values():
    return st.one_of(st.sampled_from(NASTY_TEXT), st.text(max_size=60))


class _Forms(HTMLParser):
    """The POST forms of a page: [(action, {name: (kind, [options], value)})]."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, dict]] = []
        self._form: dict | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {} if (a.get("method") or "get").lower() == "post" else None
            self._action = a.get("action") or ""
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            if a.get("inputmode") in ("decimal", "numeric"):
                kind = "number"
            self._form[a["name"]] = (kind, [], a.get("value") or "")
        elif tag == "textarea":
            self._form[a["name"]] = ("text", [], "")
        elif tag == "select":
            self._select = a["name"]
            self._form[a["name"]] = ("select", [], "")
        elif tag == "option" and self._select:
            self._form[self._select][1].append(a.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "form" and self._form is not None:
            self.forms.append((self._action, self._form))
            self._form = None


def value_for(name: str, kind: str, options: list[str], initial: str, foreign_ids: list[str]):
    """A strategy for one field, by its type and name."""
    other = st.sampled_from(foreign_ids + [str(uuid.uuid4()), "0", "-1", "x" * 300])
    if name == "csrfmiddlewaretoken":
        return st.just(initial)
    if kind == "hidden":
        return st.one_of(st.just(initial), other, st.sampled_from(["", "\x00"]))
    if kind == "datetime-local" or name.endswith("_at") or name in ("at", "eta"):
        return st.sampled_from(MOMENTS)
    if kind == "date" or name.endswith("_date") or name in ("date", "valid_from", "valid_until"):
        return st.sampled_from(DATES)
    if kind == "number":
        return st.one_of(st.sampled_from(NUMBERS), st.integers(min_value=-(10**30), max_value=10**30).map(str))
    if kind in ("select", "radio") and options:
        return st.one_of(st.sampled_from(options), other)
    if kind == "checkbox":
        return st.sampled_from([initial or "on", None])
    if kind == "file":
        return st.just(None)
    return text_values()


def discover_forms(world, clients) -> list[tuple[str, str, dict]]:
    """(persona, action path, fields) of every POST form on every page a persona may open."""
    found, seen = [], set()
    for name, (method, kind, _expected) in sorted(MATRIX.items()):
        if method != "get" or name.startswith("api_v1:") or name in ("health", "ready", "metrics"):
            continue
        try:
            page = reverse(name, kwargs=_kwargs(kind, world))
        except Exception:  # noqa: BLE001  (a kwargs kind the world has no object for)
            continue
        if any(part in page for part in SKIP_PAGES):
            continue
        for persona in PERSONAS:
            response = clients[persona].get(page)
            assert response.status_code < 500, (persona, page, response.status_code)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            parser = _Forms()
            parser.feed(response.content.decode())
            for action, fields in parser.forms:
                target = urlsplit(urljoin(page, action or page)).path
                if any(part in target for part in SKIP_ACTIONS):
                    continue
                key = (persona, target, tuple(sorted(fields)))
                if key not in seen:
                    seen.add(key)
                    found.append((persona, target, fields))
    return found


def foreign_ids_of(world) -> list[str]:
    """Ids of objects of another tenant (body B, provider 2) and of the objects in the world."""
    from calloffs.models import CallOff

    setup = world["setup"]
    ids = [str(setup.providers[1].public_id), str(setup.contract.public_id), str(world["calloff"].public_id)]
    ids += [str(c.public_id) for c in CallOff.objects.exclude(pk=world["calloff"].pk)[:3]]
    return ids


def assert_pages_still_answer(clients, world):
    pages = ["calloffs:list", "incidents:list", "tenants:organisation_list", "home"]
    for persona, client in clients.items():
        for name in pages:
            response = client.get(reverse(name))
            assert response.status_code == 200, (persona, name, response.status_code)
    ministry = clients["ministry"]
    for name in (
        "calloffs:situation",
        "calloffs:monthly_report",
        "calloffs:monthly_report_csv",
        "incidents:major_list",
    ):
        response = ministry.get(reverse(name))
        assert response.status_code == 200, (name, response.status_code)
    for persona in ("caller", "ministry", "provider1"):
        response = clients[persona].get(reverse("calloffs:detail", args=[world["calloff"].public_id]))
        assert response.status_code == 200, (persona, response.status_code)


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found
    suppress_health_check=list(HealthCheck),
)


def fuzz_form(client, persona, target, strategies, failures):
    @FUZZ
    @given(data=st.fixed_dictionaries(strategies))
    def run(data):
        body = {k: v for k, v in data.items() if v is not None}
        response = client.post(target, body)
        if response.status_code >= 500:
            failures.append((persona, target, response.status_code, {k: str(v)[:40] for k, v in body.items()}))

    run()


def test_every_portal_form_survives_extreme_values(world):  # noqa: F811
    clients = {}
    for persona in PERSONAS:
        clients[persona] = Client()
        clients[persona].force_login(world["users"][persona])
    forms = discover_forms(world, clients)
    actions = {target for _p, target, _f in forms}
    # The forms this issue is about are among those found (a broken discovery would pass silently).
    assert any("/abrufe/neu/" in a for a in actions), sorted(actions)
    assert any("/bearbeiten/" in a for a in actions), sorted(actions)
    assert any("/vertraege/" in a or "/vertrag" in a for a in actions), sorted(actions)
    # The ministry's forms with amounts, minutes, capacity and eligibility dates (digisos.plausible).
    # A list, not a dict by target: one page may hold several forms posting to the same URL (the body's
    # page: eligibility and Leitweg-ID), and a dict kept only the last of them.
    ministry_forms = [set(fields) for persona, _target, fields in forms if persona == "ministry"]
    for field in ("ceiling", "night_surcharge_percent", "price", "hourly_rate", "onsite_minutes", "capacity"):
        assert any(field in names for names in ministry_forms), field
    assert any("eligible_from" in names for names in ministry_forms)
    assert len(forms) >= 15, sorted(actions)
    foreign = foreign_ids_of(world)
    failures = []

    for persona, target, fields in forms:
        strategies = {
            name: value_for(name, kind, options, initial, foreign) for name, (kind, options, initial) in fields.items()
        }
        fuzz_form(clients[persona], persona, target, strategies, failures)
    assert not failures, failures[:5]
    assert_pages_still_answer(clients, world)
    assert_stored_values_plausible()


def assert_stored_values_plausible():
    """Whatever the fuzzing stored lies in the plausible ranges: every row of the contract, its
    terms, the providers and the bodies passes its field validators (digisos.plausible) and its clean()."""
    from django.core.exceptions import ValidationError

    from calloffs.models import FrameworkContract, Provider, RoleRate, ServiceModule, SLATerm
    from tenants.models import Organisation

    implausible = []
    for model in (FrameworkContract, ServiceModule, RoleRate, SLATerm, Provider, Organisation):
        for row in model.objects.all():
            try:
                row.clean_fields()
                row.clean()
            except ValidationError as exc:
                implausible.append((model.__name__, row.pk, exc.messages))
    assert not implausible, implausible[:5]


# --- The API's writes ------------------------------------------------------------------------

API_FIELDS = {
    "accept/": {"lead_name": "text", "lead_phone": "text", "eta_remote": "moment", "eta_onsite": "moment"},
    "decline/": {"reason": "text"},
    "updates/": {"kind": "kind", "text": "text", "at": "moment"},
    "time-entries/": {
        "date": "date",
        "hours": "number",
        "role": "text",
        "service_module": "text",
        "description": "text",
        "person": "text",
    },
    "complete/": {"summary": "text"},
}
JSON_NUMBERS = [-1, 0, 0.001, 24.01, 10**30, -(10**30), 1e308, "1e999999", "NaN", None, True, [], {}]


def api_value(kind: str):
    junk = st.sampled_from([None, 0, True, [], {}, ["x"], {"a": 1}])
    if kind == "moment":
        return st.one_of(st.sampled_from([m + ":00Z" if m else m for m in MOMENTS]), junk)
    if kind == "date":
        return st.one_of(st.sampled_from(DATES), junk)
    if kind == "number":
        return st.sampled_from(JSON_NUMBERS)
    if kind == "kind":
        return st.sampled_from(["callback_made", "remote_started", "onsite_arrived", "contained", "note", "", "x"])
    return st.one_of(text_values(), junk)


def fuzz_api(clients, suffix, ids, body, failures):
    @FUZZ
    @given(persona=st.sampled_from(sorted(clients)), calloff_id=ids, data=body)
    def run(persona, calloff_id, data):
        response = clients[persona].post(f"/api/v1/calloffs/{calloff_id}/{suffix}", data, format="json")
        if response.status_code >= 500:
            failures.append((persona, suffix, response.status_code, str(data)[:120]))
        elif response.status_code >= 400 and response["Content-Type"] != "application/problem+json":
            failures.append((persona, suffix, response.status_code, "not problem+json"))

    run()


def test_every_api_write_survives_extreme_values(world):  # noqa: F811
    from calloffs.models import CallOff

    keys = world["keys"]
    clients = {}
    for persona in ("provider1", "provider2"):
        clients[persona] = APIClient()
        clients[persona].credentials(HTTP_AUTHORIZATION=f"Bearer {keys[persona]}")
    own = str(world["calloff"].public_id)  # provider 1's; provider 2 must get 404 for it
    others = [str(c.public_id) for c in CallOff.objects.exclude(pk=world["calloff"].pk)[:2]]
    ids = st.sampled_from([own, *others, str(uuid.uuid4()), "not-a-uuid"])
    failures = []
    for suffix, fields in API_FIELDS.items():
        body = st.fixed_dictionaries({}, optional={name: api_value(kind) for name, kind in fields.items()})
        fuzz_api(clients, suffix, ids, body, failures)
    # The webhooks: a URL of every kind and a description of any length.
    hooks = st.fixed_dictionaries(
        {},
        optional={
            "url": api_value("text"),
            "description": api_value("text"),
            "active": st.sampled_from([True, 1, "x", None]),
        },
    )

    @FUZZ
    @given(data=hooks)
    def run_hooks(data):
        response = clients["provider1"].post("/api/v1/webhooks/", data, format="json")
        if response.status_code >= 500:
            failures.append(("provider1", "webhooks/", response.status_code, str(data)[:120]))

    run_hooks()
    assert not failures, failures[:5]
    portal = {}
    for persona in PERSONAS:
        portal[persona] = Client()
        portal[persona].force_login(world["users"][persona])
    assert_pages_still_answer(portal, world)
