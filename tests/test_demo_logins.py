"""The demo logins of README.md work as written: each e-mail address with the demo password and a code
from its TOTP secret reaches its home page (not "Bestätigen Sie Ihre E-Mail-Adresse")."""

import re
import time
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import hotp_value
from django.urls import reverse

from calloffs.demo import seed_demo_contract
from tenants.demo import DEMO_PASSWORD, PROVIDER_TOTP_SECRET, seed_bodies_and_accounts
from tenants.models import OrganisationKind
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_logins() -> list[tuple[str, str, str]]:
    """(who, e-mail, TOTP secret) per row of the README's demo table; the provider row names 1 … 4."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Demo logins")[1].split("\n## ")[0]
    assert f"`{DEMO_PASSWORD}`" in section
    rows = []
    for who, email, secret in re.findall(r"^\| ([^|]+?) \| `([^`]+)`.*?\| `([A-Z2-7]+)` \|$", section, re.M):
        if "dienstleister1@" in email:
            rows += [(who, f"dienstleister{n}@demo.digisos.invalid", secret) for n in range(1, 5)]
        else:
            rows.append((who, email, secret))
    return rows


@pytest.fixture
def demo(settings):
    settings.DEMO_MODE = True
    OrganisationFactory(ags="05315000", name="Köln", kind=OrganisationKind.KREISFREIE_STADT)
    OrganisationFactory(ags="05966", name="Kreis Olpe", kind=OrganisationKind.KREIS, regierungsbezirk="Arnsberg")
    seed_bodies_and_accounts()
    seed_demo_contract(password=DEMO_PASSWORD, totp_secret=PROVIDER_TOTP_SECRET)


def test_the_readme_lists_every_demo_account():
    emails = [email for _who, email, _secret in readme_logins()]
    assert len(emails) == 8 and "ministerium@demo.digisos.invalid" in emails


@pytest.mark.parametrize("who,email,secret", readme_logins(), ids=[row[1].split("@")[0] for row in readme_logins()])
def test_each_readme_demo_login_reaches_its_home_page(client, demo, who, email, secret):
    response = client.post(reverse("account_login"), {"login": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate"), who
    code = f"{hotp_value(secret, int(time.time()) // 30):06d}"
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302 and response["Location"] == reverse("home"), (who, response.get("Location"))
    home = client.get(reverse("home"))
    assert home.status_code == 200
    content = home.content.decode()
    assert "Bestätigen Sie Ihre E-Mail-Adresse" not in content
    assert "keiner Stelle zugeordnet" not in content
    if email.startswith("dienstleister"):
        assert "Offene Angebote an " in content
    elif email.startswith("ministerium"):
        assert 'id="home-alerts"' in content
    else:
        assert "Ihre Stellen" in content
