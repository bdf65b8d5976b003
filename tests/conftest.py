"""Shared fixtures: the personas of STYLE.md §7 plus ministry staff.

- alice: a caller of body A (the owner of what she files)
- bob: a read-only member of the same body A
- charlie: a caller of another body B (the outsider, who must get 404)
- ministry: ministry staff (sees all)
"""

import pytest
from django.conf import settings
from django.db import connection

from tenants.models import Role
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

TOTP_SECRET = "JBSWY3DPEHPK3PXP"

#: The contract, providers and call-off helpers, for every directory that files call-offs (calloffs,
#: api, ops, security, browser, drills), declared once here instead of re-exported per directory.
pytest_plugins = ["tests.calloffs.fixtures"]


#: The heavyweight tests, marked ``slow`` here in one place (by path, so new tests in these places are
#: marked too): the browser journeys, schemathesis, the form fuzzing and the migration drills. `make test`
#: on the embedded default (SQLite) leaves them out (``-m "not slow"``) to stay around two minutes;
#: `make test-all` and CI's PostgreSQL run (`make test` with DATABASE_URL) run every test (issue 15).
SLOW = (
    "tests/browser/",
    "tests/api/test_schemathesis.py",
    "tests/api/test_schemathesis_two_keys.py",
    "tests/security/test_fuzz_entries.py",
    "tests/notifications/test_migration.py",
)


def pytest_configure(config):
    """A run against PostgreSQL is the full run: it refuses to leave out the slow tests."""
    if "slow" in (config.option.markexpr or "") and "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        raise pytest.UsageError(
            f"-m {config.option.markexpr!r}: the PostgreSQL run (DATABASE_URL) runs every test, the slow ones too"
        )


@pytest.hookimpl(tryfirst=True)  # before -m deselects by marker
def pytest_collection_modifyitems(config, items):
    """Mark the slow tests; skip only what needs the real servers when they are not configured, saying so once."""
    db_engine = settings.DATABASES["default"]["ENGINE"]
    broker = settings.CELERY_BROKER_URL
    for item in items:
        if item.nodeid.startswith(SLOW):
            item.add_marker(pytest.mark.slow)
        if "postgres" in item.keywords and "postgresql" not in db_engine:
            item.add_marker(pytest.mark.skip(reason=NEEDS_POSTGRES))
        if "redis" in item.keywords and not broker.startswith("redis"):
            item.add_marker(pytest.mark.skip(reason=NEEDS_REDIS))


NEEDS_POSTGRES = "needs PostgreSQL: set DATABASE_URL=postgres://…"
NEEDS_REDIS = "needs Redis: set CELERY_BROKER_URL=redis://…"


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Counted from the reports, so that it also works with pytest-xdist (the workers collect, not this process)."""
    skipped = {"postgres": 0, "redis": 0}
    for report in terminalreporter.stats.get("skipped", []):
        text = str(report.longrepr)
        skipped["postgres"] += NEEDS_POSTGRES in text
        skipped["redis"] += NEEDS_REDIS in text
    if "not slow" in (config.option.markexpr or ""):
        terminalreporter.write_line(
            "digisos: left out the slow tests (browser, schemathesis, fuzzing, migration drills: tests/conftest.py "
            "SLOW); `make test-all` or the PostgreSQL run (DATABASE_URL) runs them"
        )
    if any(skipped.values()):
        terminalreporter.write_line(
            f"digisos: skipped {skipped['postgres']} PostgreSQL-only and {skipped['redis']} Redis-only tests "
            "(set DATABASE_URL / CELERY_BROKER_URL to run them)"
        )


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """pytest-django's hook before it creates the test databases: SQLite's comes from a migrated template
    (tests/sqlite_template.py), migrated once, not once per xdist worker and run."""
    from tests.sqlite_template import migrated_template

    with migrated_template():
        yield


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A request in English (the language cookie) leaves English active on the thread: LocaleMiddleware
    activates the request's language and nothing deactivates it. Without this, a test that runs after
    one and reads a German message (e.g. tests/calloffs/test_filing.py after the page snapshots) got
    the English one."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture
def org_a(db):
    return OrganisationFactory(name="Stadt A")


@pytest.fixture
def org_b(db):
    return OrganisationFactory(name="Stadt B")


@pytest.fixture
def alice(org_a):
    return MembershipFactory(organisation=org_a, role=Role.CALLER, user__email="alice@example.org").user


@pytest.fixture
def bob(org_a):
    return MembershipFactory(organisation=org_a, role=Role.MEMBER, user__email="bob@example.org").user


@pytest.fixture
def charlie(org_b):
    return MembershipFactory(organisation=org_b, role=Role.CALLER, user__email="charlie@example.org").user


@pytest.fixture
def body_admin(org_a):
    return MembershipFactory(organisation=org_a, role=Role.ADMIN, user__email="admin-a@example.org").user


@pytest.fixture
def ministry(db):
    return UserFactory(email="ministerium@example.org", is_ministry_staff=True)


@pytest.fixture
def client_for(client):
    """Return a test client logged in as the given user (MFA already set up)."""
    from django.test import Client

    def make(user):
        c = Client()
        c.force_login(user)
        return c

    return make


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"


@pytest.fixture
def deliver_outbox():
    """deliver_outbox() → what a Celery worker does with the outbox now: every due notification is
    delivered once through its channel (e-mail into Django's test outbox); returns the states."""
    from notifications.models import WAITING_STATES, Notification
    from notifications.tasks import deliver_notification

    def run() -> list[str]:
        due = Notification.objects.filter(state__in=WAITING_STATES).order_by("id").values_list("pk", flat=True)
        return [deliver_notification(pk) for pk in list(due)]

    return run
