import time

import pytest
from allauth.mfa.totp.internal.auth import hotp_value
from django.core.management import CommandError, call_command
from django.urls import reverse

from tenants.audit import verify
from tenants.models import AuditEntry
from tenants.services import audit
from tests.conftest import TOTP_SECRET

pytestmark = pytest.mark.django_db


def test_entries_form_a_verifiable_chain(alice, org_a):
    for n in range(5):
        audit(actor=alice, action="test.action", organisation=org_a, target=f"t{n}", n=n)
    assert verify() == (True, 5, "ok")
    call_command("verify_audit_chain")


@pytest.mark.parametrize(
    "tamper",
    [
        lambda: AuditEntry.objects.filter(sequence=3).update(target="geändert"),
        lambda: AuditEntry.objects.filter(sequence=3).delete(),
        lambda: AuditEntry.objects.filter(sequence=5).delete(),
        lambda: AuditEntry.objects.filter(sequence=2).update(details={"n": 99}),
    ],
    ids=["changed", "deleted-middle", "deleted-newest", "details-changed"],
)
def test_tampering_is_detected(alice, tamper):
    for n in range(5):
        audit(actor=alice, action="test.action", target=f"t{n}", n=n)
    tamper()
    ok, _count, message = verify()
    assert not ok, message
    with pytest.raises(CommandError, match="Audit chain broken"):
        call_command("verify_audit_chain")


def test_deleting_the_actor_keeps_the_chain_valid(alice):
    audit(actor=alice, action="test.action", target="x")
    alice.delete()
    assert verify()[0]


def test_logins_and_failures_are_audited(client, alice):
    client.post(reverse("account_login"), {"login": alice.email, "password": "wrong"})
    assert AuditEntry.objects.filter(action="auth.login_failed", target=alice.email).exists()
    client.post(reverse("account_login"), {"login": alice.email, "password": "correct horse battery staple"})
    client.post(reverse("mfa_authenticate"), {"code": f"{hotp_value(TOTP_SECRET, int(time.time()) // 30):06d}"})
    assert AuditEntry.objects.filter(action="auth.login", actor=alice).exists()
    assert verify()[0]


def test_deferred_entries_are_chained_in_order_when_the_block_ends(alice, org_a):
    from django.db import transaction

    from tenants.audit import deferred

    audit(actor=alice, action="before")
    with transaction.atomic(), deferred():
        audit(actor=alice, action="first", organisation=org_a)
        with deferred():  # a nested block joins the outer one
            audit(actor=alice, action="second")
        assert not AuditEntry.objects.filter(action__in=["first", "second"]).exists()  # not yet chained
    assert list(AuditEntry.objects.order_by("sequence").values_list("action", flat=True)) == [
        "before",
        "first",
        "second",
    ]
    assert verify()[0]


def test_a_failed_block_chains_nothing(alice):
    from django.db import transaction

    from tenants.audit import deferred

    with pytest.raises(RuntimeError), transaction.atomic(), deferred():
        audit(actor=alice, action="never")
        raise RuntimeError
    assert not AuditEntry.objects.filter(action="never").exists()
    audit(actor=alice, action="after")
    assert verify() == (True, 1, "ok")


def test_an_entry_of_a_savepoint_rolled_back_within_a_deferred_block_is_gone_with_it(alice):
    from django.db import transaction

    from tenants.audit import deferred

    with transaction.atomic(), deferred():
        audit(actor=alice, action="kept")
        try:
            with transaction.atomic():  # a savepoint whose failure the caller handles
                audit(actor=alice, action="undone")
                raise RuntimeError
        except RuntimeError:
            pass
        audit(actor=alice, action="also kept")
    assert list(AuditEntry.objects.order_by("sequence").values_list("action", flat=True)) == ["kept", "also kept"]
    assert verify()[0]
