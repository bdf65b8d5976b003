"""The SQLite test database from a migrated template (issue 15).

Migrating the in-memory test database costs about half a minute of CPU (Django renders the model state
once per operation), and pytest-xdist did it once per worker on every run. Now the first process that
needs it migrates as before and saves a copy (``sqlite-template-<key>.sqlite3`` in a folder of the system's
temporary directory named after this checkout, not in the developer's ``var/``: tests do not write there,
issue 15; ``DIGISOS_TEST_DB_CACHE`` names another folder); the other
workers and later runs copy that file into their in-memory database with SQLite's backup API, as Django's
own parallel runner clones its test database. The key is a hash of every installed app's migrations and
the Django and SQLite versions: a new or changed migration builds a new template.
``DIGISOS_TEST_DB_TEMPLATE=0`` migrates every time, as before. PostgreSQL (CI's full run) is not touched.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.db import connections


def template_key() -> str:
    digest = hashlib.sha256(f"{django.get_version()} {sqlite3.sqlite_version}".encode())
    for config in sorted(apps.get_app_configs(), key=lambda c: c.label):
        folder = Path(config.path) / "migrations"
        for path in sorted(folder.glob("*.py")):
            digest.update(f"{config.label}/{path.name}".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def template_folder() -> Path:
    """Where the template is kept: outside the checkout's ``var/`` (the developer's database and files)."""
    configured = os.environ.get("DIGISOS_TEST_DB_CACHE")
    if configured:
        return Path(configured)
    checkout = hashlib.sha256(str(Path(settings.BASE_DIR).resolve()).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"digisos-test-db-{checkout}"


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the other workers wait for the first one's template
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _from_template(creation, original, verbosity=1, autoclobber=False, serialize=True, keepdb=False):
    """``DatabaseCreation.create_test_db`` for an in-memory SQLite test database."""
    from django.core.management import call_command

    connection = creation.connection
    name = creation._get_test_db_name()
    if keepdb or not creation.is_in_memory_db(name):
        return original(verbosity=verbosity, autoclobber=autoclobber, serialize=serialize, keepdb=keepdb)
    folder = template_folder()
    folder.mkdir(parents=True, exist_ok=True)
    template = folder / f"sqlite-template-{template_key()}.sqlite3"
    with _locked(folder / "template.lock"):
        if not template.exists():
            name = original(verbosity=verbosity, autoclobber=autoclobber, serialize=serialize, keepdb=keepdb)
            partial = template.with_suffix(f".{os.getpid()}.partial")
            with contextlib.closing(sqlite3.connect(partial)) as target:
                connection.connection.backup(target)
            for old in folder.glob("sqlite-template-*.sqlite3"):
                old.unlink()
            partial.rename(template)
            return name
        # What create_test_db does, with the template's copy in place of `migrate`.
        creation._create_test_db(verbosity, autoclobber, keepdb)
        connection.close()
        settings.DATABASES[connection.alias]["NAME"] = name
        connection.settings_dict["NAME"] = name
        connection.ensure_connection()
        with contextlib.closing(sqlite3.connect(template)) as source:
            source.backup(connection.connection)
    if serialize:
        connection._test_serialized_contents = creation.serialize_db_to_string()
    call_command("createcachetable", database=connection.alias)
    connection.ensure_connection()
    return name


@contextlib.contextmanager
def migrated_template() -> Iterator[None]:
    """While active, in-memory SQLite test databases are created from the template."""
    if os.environ.get("DIGISOS_TEST_DB_TEMPLATE", "1") == "0":
        yield
        return
    patched = []
    for alias in connections:
        creation = connections[alias].creation
        if connections[alias].vendor != "sqlite":
            continue

        def create_test_db(*args, _creation=creation, _original=creation.create_test_db, **kwargs):
            return _from_template(_creation, _original, *args, **kwargs)

        creation.create_test_db = create_test_db
        patched.append(creation)
    try:
        yield
    finally:
        for creation in patched:
            del creation.create_test_db
