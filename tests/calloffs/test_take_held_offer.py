"""take_held_offer: its UPDATE … RETURNING kept per connection and changed fields, and its row made an
Offer as ``Offer.objects.raw(sql)`` makes it (the former code): compared for the accept and the decline."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from calloffs.errors import OfferNotOpen
from calloffs.models import Offer, OfferState
from calloffs.services import common

pytestmark = pytest.mark.django_db


def _state(offer):
    return {k: v for k, v in vars(offer).items() if k != "_state"}, (offer._state.db, offer._state.adding)


@pytest.mark.parametrize(
    "state, values",
    [(OfferState.ACCEPTED, {}), (OfferState.DECLINED, {"decline_reason": "Keine Kapazität"})],
)
def test_the_taken_offer_is_the_one_raw_makes(file_calloff, state, values):
    for _ in range(2):  # compiled, then kept
        calloff = file_calloff()
        provider = Offer.objects.get(calloff=calloff, state=OfferState.OPEN).provider
        now = timezone.now() + timedelta(seconds=3)
        statement = common._TAKE.get("default", ("state", "responded_at", *values))
        quote = connection.ops.quote_name  # the statement as take_held_offer wrote it each time before
        sets = ", ".join(f"{quote(Offer._meta.get_field(n).column)} = %s" for n in ("state", "responded_at", *values))
        assert statement["sql"] == (
            f"UPDATE {quote('calloffs_offer')} SET {sets} WHERE {quote('calloff_id')} = %s AND "
            f"{quote('provider_id')} = %s AND {quote('state')} = %s RETURNING "
            + ", ".join(quote(c) for c in common._OFFER_COLUMNS)
        )
        changes = {"state": state, "responded_at": now, **values}
        params = [
            f.get_db_prep_save(v, connection) for f, v in zip(statement["changed"], changes.values(), strict=True)
        ]
        params += [calloff.pk, provider.pk, OfferState.OPEN]
        with transaction.atomic():
            point = transaction.savepoint()
            [theirs] = Offer.objects.raw(statement["sql"], params)
            transaction.savepoint_rollback(point)
            ours = common.take_held_offer(calloff, provider, state=state, now=now, **values)
        theirs.calloff, theirs.provider = calloff, provider
        assert _state(ours) == _state(theirs)
        assert ours.state == state and ours.responded_at == now and ours.pk
        assert Offer.objects.filter(pk=ours.pk).values("state", "responded_at").get() == {
            "state": state,
            "responded_at": now,
        }
        with pytest.raises(OfferNotOpen):  # taken: no longer open
            common.take_held_offer(calloff, provider, state=state, now=now, **values)
