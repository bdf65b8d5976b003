"""The drills reuse the bad-days harness of tests/calloffs (throwaway Redis, Celery worker and beat as
subprocesses, a local webhook receiver); the call-off fixtures come from tests/calloffs/fixtures.py."""

from tests.calloffs.test_bad_days import broker, make_stack, receiver_factory, redis  # noqa: F401  (fixtures)
