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


def test_all_gives_every_object_of_the_queryset_in_its_order(keys, setup):
    every = CompiledQuery(
        lambda provider: ProviderApiKey.objects.filter(provider_id=provider).select_related("provider"),
        many=True,
        provider=-719_000_019,
    )
    for provider in setup.providers:
        expected = list(ProviderApiKey.objects.filter(provider_id=provider.pk).select_related("provider"))
        got = every.all(provider=provider.pk)
        assert got == expected and [k.provider.short_name for k in got] == [k.provider.short_name for k in expected]
    assert every.all(provider=0) == []
    with pytest.raises(TypeError):
        every.first(provider=setup.providers[0].pk)
    with pytest.raises(TypeError):
        _KEY_BY_PREFIX.all(prefix="x")


def test_compiled_rows_give_the_querysets_rows_for_every_list_of_ids(setup, drive):
    from django.contrib.contenttypes.models import ContentType

    from calloffs.models import CallOffState, Provider
    from calloffs.services.offers import _engagements_and_webhooks_query, engagements_and_webhooks
    from notifications.models import WebhookEndpoint

    p1, p2, p3 = setup.providers[:3]
    drive(CallOffState.ACCEPTED)  # p1 engaged once
    WebhookEndpoint.objects.create(owner=p1, url="https://hooks.p1.example/b")
    WebhookEndpoint.objects.create(owner=p1, url="https://hooks.p1.example/a")
    WebhookEndpoint.objects.create(owner=p2, url="https://hooks.p2.example/off", active=False)
    owner_type = ContentType.objects.get_for_model(Provider).pk
    for ids in ([p1.pk], [p2.pk, p1.pk], [p3.pk, p2.pk, p1.pk], [p2.pk], [p1.pk, p1.pk]):
        load, endpoints = engagements_and_webhooks(ids)
        expected = list(_engagements_and_webhooks_query(list(dict.fromkeys(ids)), owner_type))
        assert sorted(expected) == sorted(
            [(0, pk, n, 0, "") for pk, n in load.items()]
            + [(1, pk, 0, hook, url) for pk, hooks in endpoints.items() for hook, url in hooks]
        )
        assert set(endpoints) == set(ids)
    load, endpoints = engagements_and_webhooks([p1.pk, p2.pk])
    assert load == {p1.pk: 1}
    assert [url for _, url in endpoints[p1.pk]] == ["https://hooks.p1.example/b", "https://hooks.p1.example/a"]
    assert endpoints[p2.pk] == []
    assert engagements_and_webhooks([]) == ({}, {})


def test_compiled_rows_refuse_a_sample_that_is_not_a_parameter(setup):
    from digisos.compiled_query import CompiledRows

    ignores = CompiledRows(lambda a, b: ProviderApiKey.objects.filter(pk__in=[a]).values_list("pk"), a=-7, b=-8)
    with pytest.raises(ValueError, match="each placeholder"):
        ignores.all(a=1, b=2)
