"""digisos.compiled_query: a queryset compiled once per connection gives what the queryset gives."""

import pytest

from calloffs.models import ProviderApiKey
from calloffs.services.api_keys import _KEY_BY_PREFIX, _key_by_prefix
from digisos.compiled_query import CompiledQuery

pytestmark = pytest.mark.django_db


def test_it_gives_the_querysets_object_with_its_related_rows_and_annotations(keys, setup):
    for key in ProviderApiKey.objects.all():
        expected = _key_by_prefix(key.prefix).get()
        got = _KEY_BY_PREFIX.first(prefix=key.prefix)
        assert got == expected and got._state.db == "default" and not got._state.adding
        assert [getattr(got, f.attname) for f in ProviderApiKey._meta.concrete_fields] == [
            getattr(expected, f.attname) for f in ProviderApiKey._meta.concrete_fields
        ]
        assert got.provider == expected.provider and got.provider.short_name == expected.provider.short_name
        assert got.account == expected.account and got.account.email == expected.account.email
        assert got.account_is_staff is expected.account_is_staff is True
    assert _KEY_BY_PREFIX.first(prefix="dsk_00000000") is None


def test_a_placeholder_that_is_not_one_parameter_is_refused(setup):
    twice = CompiledQuery(lambda name: ProviderApiKey.objects.filter(name=name, prefix=name), name="sample-x")
    with pytest.raises(ValueError, match="exactly one parameter"):
        twice.first(name="a")
