import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_strict_csp_and_headers(client):
    response = client.get(reverse("account_login"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]


def test_pages_have_no_inline_script_or_style(client_for, alice):
    import re

    client = client_for(alice)
    for url in (reverse("home"), reverse("calloffs:list"), reverse("incidents:list"), reverse("account_login")):
        html = client.get(url).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            # JSON data blocks are not executed; everything else must come from a file.
            assert "src=" in tag or 'type="application/json"' in tag, (url, tag)
        assert not re.search(r"<style\b", html), url
        assert not re.search(r'\sstyle="', html), url


def test_idle_sessions_end(client, alice, settings):
    settings.SESSION_IDLE_TIMEOUT = 1800
    with time_machine.travel("2026-11-27 10:00", tick=False) as traveller:
        client.force_login(alice)
        assert client.get(reverse("home")).status_code == 200
        traveller.shift(25 * 60)
        assert client.get(reverse("home")).status_code == 200
        traveller.shift(31 * 60)
        response = client.get(reverse("home"))
        assert response.status_code == 302 and reverse("account_login") in response["Location"]
        assert client.get(reverse("home")).status_code == 302  # really logged out


def test_sessions_end_after_the_absolute_timeout_even_when_active(client, alice, settings):
    settings.SESSION_ABSOLUTE_TIMEOUT = 3600
    with time_machine.travel("2026-11-27 10:00", tick=False) as traveller:
        client.force_login(alice)
        client.get(reverse("home"))
        for _ in range(5):
            traveller.shift(15 * 60)
            response = client.get(reverse("home"))
        assert response.status_code == 302


def test_a_request_within_a_minute_of_the_last_does_not_write_the_session(client, alice):
    # The stamps are written when they change, not on every request (a write per page costs a
    # transaction each; on a mass-incident day that is a third of the database's work per page).
    with time_machine.travel("2026-11-27 10:00", tick=False) as traveller:
        client.force_login(alice)
        client.get(reverse("home"))
        traveller.shift(30)
        with CaptureQueriesContext(connection) as quiet:
            assert client.get(reverse("home")).status_code == 200
        traveller.shift(61)
        with CaptureQueriesContext(connection) as stamped:
            assert client.get(reverse("home")).status_code == 200
    writes = [
        q["sql"] for q in quiet.captured_queries if q["sql"].startswith("UPDATE") and "django_session" in q["sql"]
    ]
    assert writes == []
    assert any(q["sql"].startswith("UPDATE") and "django_session" in q["sql"] for q in stamped.captured_queries)
