"""No page speaks to its reader with "du": every page of the portal for every persona, and
django-allauth's pages and messages (their German catalogue is informal; tenants/allauth_de.py
overrides it), rendered in German and scanned for du-forms."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import allauth
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.api.conftest import api, keys  # noqa: F401  (fixtures of the world)
from tests.formal_german import DU_FORMS, du_forms, visible_text
from tests.security.access_world import _kwargs
from tests.security.access_world import world as world  # noqa: F401, PLC0414  (fixture)
from tests.security.test_access_matrix import MATRIX, PERSONAS

pytestmark = pytest.mark.django_db

ALLAUTH_PAGES = (
    "account_login",
    "account_reset_password",
    "account_reset_password_done",
    "account_email_verification_sent",
)
ALLAUTH_PAGES_LOGGED_IN = ("account_logout", "account_email", "account_change_password", "mfa_index")


def test_the_scan_finds_du_forms():
    assert du_forms(visible_text("<p>Du hast die Adresse a@b.de bestätigt.</p>"))
    assert du_forms(visible_text('<input placeholder="Gib eine gültige E-Mail Adresse an">'))
    assert du_forms(visible_text("<p>Bitte bestätige deine E-Mail-Adresse</p>"))
    assert not du_forms(visible_text("<p>Sie haben die Adresse bestätigt. Dunkel, Dirk, Dienst.</p>"))


def test_every_portal_page_is_formal(world):
    """Every page of the access matrix, in German, as each persona that may see it."""
    findings = []
    for persona in PERSONAS:
        client = Client(HTTP_ACCEPT_LANGUAGE="de")
        if persona != "anonymous":
            client.force_login(world["users"][persona])
        for name, (method, kind, _expected) in sorted(MATRIX.items()):
            if method != "get" or name.startswith("api_v1:"):
                continue
            response = client.get(reverse(name, kwargs=_kwargs(kind, world)))
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            findings += [f"{name} as {persona}: …{hit}…" for hit in du_forms(visible_text(response.content.decode()))]
    assert not findings, "\n".join(findings)


def test_allauth_pages_are_formal(alice):
    findings = []
    anonymous, logged_in = Client(HTTP_ACCEPT_LANGUAGE="de"), Client(HTTP_ACCEPT_LANGUAGE="de")
    logged_in.force_login(alice)
    pages = [(anonymous, name) for name in ALLAUTH_PAGES] + [(logged_in, n) for n in ALLAUTH_PAGES_LOGGED_IN]
    for client, name in pages:
        response = client.get(reverse(name), follow=True)
        assert response.status_code == 200, name
        findings += [f"{name}: …{hit}…" for hit in du_forms(visible_text(response.content.decode()))]
    # A bad e-mail address on the password reset form: the error message, too.
    response = anonymous.post(reverse("account_reset_password"), {"email": "kein-at-zeichen"})
    findings += [f"reset error: …{hit}…" for hit in du_forms(visible_text(response.content.decode()))]
    assert "E-Mail-Adresse" in response.content.decode()
    assert not findings, "\n".join(findings)


def test_allauth_messages_are_formal():
    """Every string of allauth's account and MFA parts that its German catalogue says with "du"."""
    po = Path(allauth.__file__).parent / "locale" / "de" / "LC_MESSAGES" / "django.po"
    with open(po.with_suffix(".mo"), "rb") as fp:
        theirs = gettext.GNUTranslations(fp)._catalog
    # Parts of allauth this portal does not install (social login, identity provider, sessions list).
    unused = re.compile(r"^(socialaccount|idp|usersessions|headless|templates/(socialaccount|idp|usersessions))/")
    blocks = po.read_text(encoding="utf-8").split("\n\n")
    informal = []
    for msgid, text in theirs.items():
        if not isinstance(msgid, str) or not msgid or not DU_FORMS.search(text):
            continue
        first = msgid.split("\n")[0][:40].replace('"', '\\"')
        places = [loc for b in blocks if first in b for loc in re.findall(r"^#: (.*)$", b, re.M)]
        places = " ".join(places).split()
        if places and all(unused.match(place) for place in places):
            continue
        informal.append(msgid)
    assert len(informal) > 30  # the scan found allauth's informal strings
    with translation.override("de"):
        left = [msgid for msgid in informal if DU_FORMS.search(translation.gettext(msgid))]
    assert not left, left


def test_rest_framework_messages_are_formal():
    """DRF comes before Django in INSTALLED_APPS: its informal German would win over Django's form errors."""
    import rest_framework

    mo = Path(rest_framework.__file__).parent / "locale" / "de" / "LC_MESSAGES" / "django.mo"
    with open(mo, "rb") as fp:
        theirs = gettext.GNUTranslations(fp)._catalog
    informal = [k for k, text in theirs.items() if isinstance(k, str) and k and DU_FORMS.search(text)]
    assert "Enter a valid email address." in informal
    with translation.override("de"):
        left = [msgid for msgid in informal if DU_FORMS.search(translation.gettext(msgid))]
    assert not left, left


def test_confirming_an_address_says_sie():
    with translation.override("de"):
        assert translation.gettext("You have confirmed %(email)s.") == "Sie haben die Adresse %(email)s bestätigt."
