"""The drills reuse the call-off fixtures and the bad-days harness (throwaway Redis, Celery worker and
beat as subprocesses, a local webhook receiver) of tests/calloffs."""

from tests.calloffs.conftest import (  # noqa: F401  (fixtures)
    contract,
    file_calloff,
    modules,
    providers,
    ranking,
    roles,
    setup,
    staff,
)
from tests.calloffs.test_bad_days import broker, make_stack, receiver_factory, redis  # noqa: F401  (fixtures)
