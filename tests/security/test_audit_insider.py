"""The audit trail against someone with database or admin access (docs/SECURITY.md, "Insiders").

Each test does what such a person would do: delete the newest entries and set the head row back,
delete the first entry or the head row, change an entry and recompute the (formerly unkeyed) chain,
change a call-off event, insert a row through the admin or the database. Each must be named by
``verify_audit_chain``; an inserted row must not break the portal's audited writes."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from calloffs import services
from calloffs.models import CallOff, CallOffEvent
from calloffs.tasks.audit import audit_checkpoint
from notifications.models import Notification, source_of
from tenants.audit import RESUMED, entry_digest, verify
from tenants.audit_checkpoints import checkpoint_write, parse_line
from tenants.models import AuditChainHead, AuditEntry
from tenants.services import audit
from tests.api.conftest import ACCEPT, url
from tests.calloffs.test_views_pages import form_data

pytestmark = pytest.mark.django_db

KEY_1 = ("2026-a", "first-audit-key-" + "1" * 32)
KEY_2 = ("2026-b", "second-audit-key-" + "2" * 32)


@pytest.fixture
def checkpoints(settings, tmp_path):
    settings.AUDIT_CHECKPOINT_FILE = str(tmp_path / "audit-checkpoints.jsonl")
    return tmp_path / "audit-checkpoints.jsonl"


def write_entries(n: int, actor=None) -> None:
    for i in range(n):
        audit(actor=actor, action="test.action", target=f"t{i}", n=i)


def broken(message: str | None = None, **options) -> str:
    with pytest.raises(CommandError, match="Audit chain broken") as exc:
        call_command("verify_audit_chain", **options)
    if message:
        assert message in str(exc.value), str(exc.value)
    return str(exc.value)


def sql(statement: str, params=()) -> None:
    """What someone with database access does, past every guard of the ORM."""
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def set_head(sequence: int) -> None:
    last = AuditEntry.objects.get(sequence=sequence)
    AuditChainHead.objects.filter(pk=1).update(last_sequence=sequence, last_hash=last.entry_hash)


# --- Removing entries ---------------------------------------------------------------------------


def test_deleting_the_newest_entries_is_found_by_the_checkpoint(checkpoints):
    write_entries(5)
    assert checkpoint_write()["sequence"] == 5
    # Remove the newest two and set the head row back: what is left is a valid, shorter chain ...
    AuditEntry.objects.filter(sequence__gte=4).delete()
    set_head(3)
    # ... which the database alone cannot tell from the real one; the checkpoint outside it can.
    ok, count, message = verify()
    assert (ok, count) == (False, 3)
    assert "entries 4–5 were removed" in message
    broken("entries 4–5 were removed")


def test_deleting_the_newest_entry_without_fixing_the_head_is_found_without_a_checkpoint():
    write_entries(5)
    AuditEntry.objects.filter(sequence=5).delete()
    broken("head row does not name the newest entry")


def test_deleting_the_first_entry_is_found():
    write_entries(3)
    AuditEntry.objects.filter(sequence=1).delete()
    broken("entry 1 is missing (found 2)")


def test_deleting_the_head_row_is_found_and_the_next_write_goes_on(checkpoints):
    write_entries(3)
    AuditChainHead.objects.all().delete()
    broken("the chain's head row was deleted")
    audit(actor=None, action="after")  # the writer recreates the head after the newest entry, no 500
    actions = list(AuditEntry.objects.order_by("sequence").values_list("action", flat=True))
    assert actions == ["test.action"] * 3 + [RESUMED, "after"]
    resumed = AuditEntry.objects.get(action=RESUMED)
    assert resumed.details == {"head_sequence": 0, "head_hash": "0" * 64, "found": 3}
    # The head row's loss is now on record in the chain itself; the chain verifies again.
    assert verify() == (True, 5, "ok")


# --- Rewriting entries --------------------------------------------------------------------------


def test_a_chain_recomputed_without_the_key_is_found():
    """The unkeyed SHA-256 chain could be recomputed after an edit; the keyed one cannot."""
    write_entries(5)
    prev = AuditEntry.objects.get(sequence=2).entry_hash
    for entry in AuditEntry.objects.filter(sequence__gte=3).order_by("sequence"):
        target = "geändert" if entry.sequence == 3 else entry.target
        digest = entry_digest(
            sequence=entry.sequence,
            at=entry.at,
            actor_label=entry.actor_label,
            action=entry.action,
            organisation_label=entry.organisation_label,
            target=target,
            details=entry.details,
            prev_hash=prev,
        )  # the old, unkeyed formula: all that is public
        AuditEntry.objects.filter(pk=entry.pk).update(target=target, prev_hash=prev, entry_hash=digest)
        prev = digest
    AuditChainHead.objects.filter(pk=1).update(last_hash=prev)
    broken("entry 3: content was changed")


def test_a_chain_recomputed_with_a_guessed_key_is_found(settings):
    write_entries(3)
    settings.AUDIT_KEYS = [("test-only", "a guessed key, not the deployment's one........")]
    entry = AuditEntry.objects.get(sequence=3)
    forged = entry_digest(
        sequence=3,
        at=entry.at,
        actor_label="",
        action="test.action",
        organisation_label="",
        target="geändert",
        details=entry.details,
        prev_hash=entry.prev_hash,
        key_id="test-only",
    )
    AuditEntry.objects.filter(pk=entry.pk).update(target="geändert", entry_hash=forged)
    AuditChainHead.objects.filter(pk=1).update(last_hash=forged)
    settings.AUDIT_KEYS = [("test-only", "test-only-audit-key-0123456789abcdef0123456789")]
    broken("entry 3: content was changed")


def test_a_forged_checkpoint_is_refused(checkpoints):
    write_entries(3)
    checkpoint = checkpoint_write()
    checkpoint["sequence"] = 2  # e.g. to hide entry 3 after deleting it
    checkpoints.write_text(json.dumps(checkpoint) + "\n")
    broken("has no valid signature")


def test_a_damaged_checkpoint_line_counts_as_removed(checkpoints):
    write_entries(3)
    checkpoint_write()
    text = checkpoints.read_text()
    checkpoints.write_text(text.replace('"sequence"', '"sequence', 1))  # the line no longer parses
    broken("is damaged")


def test_a_deleted_checkpoint_file_is_found_once_a_checkpoint_was_due(checkpoints, settings, time_machine):
    write_entries(3)
    checkpoint_write()
    checkpoints.unlink()
    assert verify()[0] is True  # a young log: no checkpoint needs to exist yet
    time_machine.move_to(timezone.now() + timedelta(seconds=2 * settings.AUDIT_CHECKPOINT_SECONDS + 1))
    broken("is missing")


def test_checkpoints_from_a_log_or_an_e_mail_are_checked_too(tmp_path):
    write_entries(4)
    line = json.dumps(checkpoint_write())
    saved = tmp_path / "mail.txt"
    saved.write_text(f"Von: Digi-SOS\n\n2026-12-05 18:00:00 INFO digisos.audit.checkpoint audit checkpoint {line}\n")
    call_command("verify_audit_chain", checkpoints=[str(saved)])
    AuditEntry.objects.filter(sequence=4).delete()
    set_head(3)
    call_command("verify_audit_chain")  # without the copy, nothing to compare with
    broken("entry 4 was removed", checkpoints=[str(saved)])


# --- Inserting rows -----------------------------------------------------------------------------


def test_the_admin_cannot_add_change_or_delete_audit_entries_or_events(client_for, ministry, setup, file_calloff):
    ministry.is_staff = ministry.is_superuser = True
    ministry.save()
    client = client_for(ministry)
    calloff = file_calloff()
    entry, event = AuditEntry.objects.first(), CallOffEvent.objects.first()
    for model, obj in (("tenants/auditentry", entry), ("calloffs/calloffevent", event)):
        assert client.get(f"/admin/{model}/").status_code == 200  # may be read
        assert client.get(f"/admin/{model}/add/").status_code == 403
        assert client.post(f"/admin/{model}/add/", {"sequence": 99, "action": "x"}).status_code == 403
        change = client.post(f"/admin/{model}/{obj.pk}/change/", {"action": "x", "reason": "x"})
        assert change.status_code in (200, 403)  # shown read-only, nothing saved
        assert client.post(f"/admin/{model}/{obj.pk}/delete/", {"post": "yes"}).status_code == 403
        bulk = client.post(f"/admin/{model}/", {"action": "delete_selected", "_selected_action": [obj.pk]})
        assert bulk.status_code in (200, 302)
    assert AuditEntry.objects.filter(pk=entry.pk, action=entry.action).exists()
    assert CallOffEvent.objects.filter(pk=event.pk, reason=event.reason).exists()
    assert CallOffEvent.objects.filter(calloff=calloff).count() == 2
    call_command("verify_audit_chain")


def test_a_row_inserted_with_the_next_sequence_breaks_no_audited_write(client_for, setup, alice, org_a, api):
    """An entry inserted from outside with the next number made every filing and API update a 500."""
    write_entries(2, actor=alice)
    nxt = AuditChainHead.objects.get().last_sequence + 1
    AuditEntry.objects.create(sequence=nxt, action="auth.login", target="x", prev_hash="0" * 64, entry_hash="f" * 64)

    response = client_for(alice).post(reverse("calloffs:create"), form_data(setup, org_a))
    assert response.status_code == 302
    calloff = CallOff.objects.get()
    assert api(0).post(url(calloff, "accept/"), ACCEPT, format="json").status_code == 200
    assert CallOffEvent.objects.filter(calloff=calloff, kind="accepted").exists()

    resumed = AuditEntry.objects.get(action=RESUMED)
    assert resumed.sequence == nxt + 1 and resumed.details["found"] == nxt
    broken(f"entry {nxt}: ")  # the foreign row is named


# --- Call-off events ------------------------------------------------------------------------------


def accepted_calloff(file_calloff, setup) -> CallOff:
    calloff = file_calloff()
    return services.offer_accept(calloff=calloff, provider=setup.providers[0], actor=setup.staff[0], **ACCEPT)


def test_an_edited_call_off_event_is_found(setup, file_calloff):
    calloff = accepted_calloff(file_calloff, setup)
    call_command("verify_audit_chain")
    event = CallOffEvent.objects.get(calloff=calloff, kind="accepted")
    sql("UPDATE calloffs_calloffevent SET reason = %s WHERE id = %s", ["nachträglich", event.pk])
    broken(f"call-off event {event.pk} differs from its audit entry")


@pytest.mark.parametrize("column", ["data", "at", "new_state", "provider_id"])
def test_any_edited_column_of_an_event_is_found(setup, file_calloff, column):
    calloff = accepted_calloff(file_calloff, setup)
    event = CallOffEvent.objects.get(calloff=calloff, kind="accepted")
    value = {
        "data": '{"lead_name": "Jemand anderes"}',
        "at": "2026-01-01 00:00:00",
        "new_state": "completed",
        "provider_id": setup.providers[1].pk,
    }[column]
    sql(f"UPDATE calloffs_calloffevent SET {column} = %s WHERE id = %s", [value, event.pk])  # noqa: S608
    broken(f"call-off event {event.pk} differs")


def test_an_inserted_or_deleted_call_off_event_is_found(setup, file_calloff):
    calloff = accepted_calloff(file_calloff, setup)
    inserted = CallOffEvent.objects.create(calloff=calloff, kind="note", reason="untergeschoben")
    broken(f"call-off event {inserted.pk} has no audit entry")
    sql("DELETE FROM calloffs_calloffevent WHERE id = %s", [inserted.pk])
    call_command("verify_audit_chain")
    accept = CallOffEvent.objects.get(calloff=calloff, kind="accepted")
    Notification.objects.filter(source=source_of(accept)).delete()
    sql("DELETE FROM calloffs_calloffevent WHERE id = %s", [accept.pk])
    broken(f"call-off event {accept.pk} of audit entry")


# --- Keys ---------------------------------------------------------------------------------------


def test_the_key_can_be_rotated_and_old_entries_keep_verifying(settings, checkpoints):
    settings.AUDIT_KEYS = [KEY_1]
    write_entries(2)
    checkpoint_write()
    settings.AUDIT_KEYS = [KEY_2, KEY_1]  # the new key seals, the old one still verifies
    write_entries(2)
    assert list(AuditEntry.objects.order_by("sequence").values_list("key_id", flat=True)) == [
        "2026-a",
        "2026-a",
        "2026-b",
        "2026-b",
    ]
    assert verify() == (True, 4, "ok")
    settings.AUDIT_KEYS = [KEY_2]  # the old key dropped too early
    broken("sealed with key '2026-a', which is not in AUDIT_KEYS")


def test_a_key_cannot_be_swapped_under_the_same_id(settings):
    settings.AUDIT_KEYS = [KEY_1]
    write_entries(2)
    settings.AUDIT_KEYS = [(KEY_1[0], "another-secret-under-the-old-id-" + "x" * 20)]
    broken("entry 1: content was changed")


# --- Checkpoints outside the database ---------------------------------------------------------------


def test_the_beat_task_writes_checkpoints_to_the_log_the_file_and_the_ministrys_address(
    settings, checkpoints, caplog, django_capture_on_commit_callbacks
):
    settings.AUDIT_CHECKPOINT_EMAIL = ["protokoll@mhkbd.nrw.example"]
    assert audit_checkpoint() is None  # nothing to anchor yet
    write_entries(3)
    with caplog.at_level("INFO", logger="digisos.audit.checkpoint"):
        assert audit_checkpoint() == 3
        assert audit_checkpoint() == 3  # the head did not move: no second line
    lines = checkpoints.read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["sequence"] == 3
    assert [r.getMessage() for r in caplog.records] == [f"audit checkpoint {lines[0]}"]
    assert not Notification.objects.exists()  # the e-mail goes once a day

    with django_capture_on_commit_callbacks():
        assert audit_checkpoint(email=True) == 3
    (mail,) = Notification.objects.filter(event_type="audit.checkpoint")
    assert mail.channel == "email" and mail.recipient == "protokoll@mhkbd.nrw.example"
    # The mail carries a checkpoint of the same head, made (and signed) when the mail is written: its
    # "at" may be a second later than the file's line on a slow machine, so compare what it names.
    (mailed,) = [parse_line(line) for line in mail.body.splitlines() if parse_line(line)]
    filed = json.loads(lines[0])
    assert (mailed["sequence"], mailed["hash"]) == (filed["sequence"], filed["hash"]) == (3, filed["hash"])
    assert "Eintrag 3" in mail.subject
    saved = checkpoints.parent / "mail.txt"
    saved.write_text(mail.body)
    call_command("verify_audit_chain", checkpoints=[str(saved)])
