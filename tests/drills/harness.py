"""What the drills add to the bad-days harness (tests/calloffs/test_bad_days.py: throwaway Redis,
Celery worker and beat, webhook receiver): a real web process (gunicorn on a free port, on the
test database) driven like a browser, and a second PostgreSQL connection that holds locks and
terminates backends. Never touches the shared PostgreSQL server or the shared Redis on 6379: only
``pg_terminate_backend`` of the web process's own backend."""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import psycopg2
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from digisos.middleware import SessionTimeoutMiddleware
from tests.calloffs.test_bad_days import free_port

ROOT = Path(settings.BASE_DIR)
GUNICORN = str(Path(sys.executable).parent / "gunicorn")


def database_url() -> str:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def pg_connect():
    """A connection of the test's own, outside Django (autocommit unless a lock is taken)."""
    db = settings.DATABASES["default"]
    conn = psycopg2.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db.get("PASSWORD") or None,
        dbname=db["NAME"],
    )
    conn.autocommit = True
    return conn


class RowLock:
    """Holds ``SELECT … FOR UPDATE`` on one row from another connection until released."""

    def __init__(self, table: str, pk: int):
        self.conn = pg_connect()
        self.conn.autocommit = False
        with self.conn.cursor() as cur:
            cur.execute(f"SELECT id FROM {table} WHERE id = %s FOR UPDATE", [pk])  # noqa: S608 - test-only, our table

    def release(self) -> None:
        if not self.conn.closed:
            self.conn.rollback()
            self.conn.close()


def backends_waiting_for_a_lock(conn, *, exclude_pid: int | None = None) -> list[int]:
    with conn.cursor() as cur:
        cur.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' "
            "AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cur.fetchall() if row[0] != exclude_pid]


def wait_for(predicate, timeout: float, what: str, *, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


class WebServer:
    """gunicorn (sync workers) with the test settings on the test database; browser-like requests."""

    def __init__(self, tmp: Path, *, workers: int = 1, **env):
        self.port = free_port()
        self.tmp = tmp
        self.log = tmp / f"gunicorn-{self.port}.log"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "DATABASE_URL", "CACHE_URL"))}
        self.env.update(
            {
                "DJANGO_SETTINGS_MODULE": "digisos.settings.test",
                "DATABASE_URL": database_url(),
                "CACHE_URL": "locmem",
                "CELERY_BROKER_URL": "memory://",
                "DIGISOS_VAR_DIR": str(tmp),
                "LOG_LEVEL": "WARNING",
                **env,
            }
        )
        self.proc = subprocess.Popen(
            [
                GUNICORN,
                "digisos.wsgi:application",
                "-w",
                str(workers),
                "-b",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(self._up, 30, f"gunicorn on port {self.port}\n{self.output()}", interval=0.2)

    def _up(self) -> bool:
        assert self.proc.poll() is None, f"gunicorn exited\n{self.output()}"
        try:
            return self.request("GET", "/health/")[0] == 200
        except OSError:
            return False

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        return [int(pid) for pid in children]

    def kill_worker(self, sig=signal.SIGKILL) -> int:
        (pid,) = self.workers()
        os.kill(pid, sig)
        return pid

    def request(self, method: str, path: str, *, headers=None, body: bytes | None = None, timeout: float = 30):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, response, response.read()
        finally:
            conn.close()

    def output(self) -> str:
        return self.log.read_text()[-4000:] if self.log.exists() else ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)


class Browser:
    """A logged-in browser of one user: a session made as a login makes it, cookies, CSRF."""

    def __init__(self, server: WebServer, user):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        now = int(time.time())
        session[SessionTimeoutMiddleware.STARTED] = session[SessionTimeoutMiddleware.SEEN] = now
        session.create()
        self.server = server
        self.cookies = {settings.SESSION_COOKIE_NAME: session.session_key}

    def _headers(self, extra=None) -> dict:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), **(extra or {})}

    def _remember(self, response) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            self.cookies.update({k: m.value for k, m in jar.items()})

    def get(self, path: str):
        status, response, body = self.server.request("GET", path, headers=self._headers())
        self._remember(response)
        return status, response, body

    def post(self, path: str, data: dict, *, timeout: float = 30):
        headers = self._headers(
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{self.server.port}{path}",
            }
        )
        status, response, body = self.server.request(
            "POST", path, headers=headers, body=urlencode(data).encode(), timeout=timeout
        )
        self._remember(response)
        return status, response, body

    def filing_form(self, setup) -> dict:
        """GET the form, as a browser would, and fill it in (the form's own token and CSRF token)."""
        status, _response, html = self.get("/abrufe/neu/")
        assert status == 200, html[:500]
        text = html.decode()
        fields = dict(re.findall(r'name="(csrfmiddlewaretoken|client_token|organisation)" value="([^"]*)"', text))
        assert {"csrfmiddlewaretoken", "client_token", "organisation"} <= fields.keys(), fields
        uuid.UUID(fields["client_token"])
        return {
            **fields,
            "category": "ransomware",
            "operations_halted": "yes",
            "situation": "Alle Fileserver verschlüsselt.",
            "affected": "Fileserver",
            f"module_{setup.modules.remote.pk}": "40",
            "place_of_performance": "Rathaus",
            "callback_phone": "+49 171 1234567",
            "callback_email": "it-notfall@example.org",
        }
