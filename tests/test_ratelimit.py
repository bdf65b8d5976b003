import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from digisos.ratelimit import hit, parse_rate
from digisos.settings.parsers import env_rate


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_key_is_refused_after_its_limit_and_others_are_not():
    assert [hit("forms:203.0.113.7", "3/hour")[0] for _ in range(4)] == [True, True, True, False]
    allowed, wait = hit("forms:203.0.113.8", "3/hour")
    assert allowed
    assert 0 < wait <= 3600


@pytest.mark.parametrize(("rate", "expected"), [("600/min", (600, 60)), ("20/hour", (20, 3600)), ("1/s", (1, 1))])
def test_rates_are_read_like_drf(rate, expected):
    assert parse_rate(rate) == expected


@pytest.mark.parametrize("raw", ["0/min", "ten/min", "10/week", "10", ""])
def test_a_bad_rate_in_the_environment_stops_start_up(raw):
    with pytest.raises(ImproperlyConfigured, match="RATE_X"):
        env_rate("RATE_X", "20/hour", environ={"RATE_X": raw})


def test_the_default_rate_applies_when_unset():
    assert env_rate("RATE_X", "20/hour", environ={}) == "20/hour"
