"""The first-hour checklist of the emergency card, ticked on the call-off page: each tick and untick
is one row-locked, audited service call that writes a timeline entry; only the body's callers and
admins (and the ministry) tick; a read-only member and the engaged provider get 403, another body
and another provider 404."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from incidents import services
from incidents.models import ChecklistTick, FirstHourStep, TimelineEntry
from incidents.selectors import first_hour_checklist
from tenants.models import AuditEntry

pytestmark = pytest.mark.django_db

LEAD = {"lead_name": "Petra Lead", "lead_phone": "+49 211 555 0199"}


def tick(client, calloff, step, done=True):
    return client.post(
        reverse("calloffs:action", args=[calloff.public_id, "checklist"]), {"step": step, "done": "1" if done else "0"}
    )


def entries(incident):
    return list(
        TimelineEntry.objects.filter(incident=incident, text__startswith="Checkliste").values_list("text", flat=True)
    )


def test_the_card_and_the_page_list_the_same_steps(client_for, file_calloff, alice):
    calloff = file_calloff()
    content = client_for(alice).get(reverse("calloffs:detail", args=[calloff.public_id])).content.decode()
    assert "Checkliste für die erste Stunde" in content and "0 von 9 Schritten erledigt." in content
    for step in FirstHourStep:
        assert str(step.label) in content
    from calloffs.documents.emergency_card import emergency_card_context

    assert [str(s.label) for s in emergency_card_context(calloff.organisation)["checklist"]] == [
        str(s.label) for s in FirstHourStep
    ]


def test_a_caller_ticks_and_unticks_each_a_timeline_and_audit_entry(client_for, file_calloff, alice):
    calloff = file_calloff()
    response = tick(client_for(alice), calloff, FirstHourStep.ISOLATE)
    assert response.status_code == 302 and response["Location"].endswith("#step-isolate")
    row = ChecklistTick.objects.get(incident=calloff.incident, step="isolate")
    assert row.done and row.changed_by == alice
    page = client_for(alice).get(reverse("calloffs:detail", args=[calloff.public_id])).content.decode()
    assert "1 von 9 Schritten erledigt." in page and "Haken entfernen" in page
    tick(client_for(alice), calloff, FirstHourStep.ISOLATE)  # again: nothing changes, nothing written
    tick(client_for(alice), calloff, FirstHourStep.ISOLATE, done=False)
    assert not ChecklistTick.objects.get(pk=row.pk).done
    label = str(FirstHourStep.ISOLATE.label)
    assert entries(calloff.incident) == [
        f"Checkliste erste Stunde – erledigt: {label}",
        f"Checkliste erste Stunde – wieder offen: {label}",
    ]
    actions = list(
        AuditEntry.objects.filter(target=str(calloff.incident.public_id), action__startswith="incident.checklist")
        .order_by("id")
        .values_list("action", "details__step")
    )
    assert actions == [("incident.checklist_ticked", "isolate"), ("incident.checklist_unticked", "isolate")]


def test_the_ministry_may_tick(client_for, file_calloff, ministry):
    calloff = file_calloff()
    assert tick(client_for(ministry), calloff, FirstHourStep.INFORM).status_code == 302
    assert ChecklistTick.objects.get(incident=calloff.incident, step="inform").done


def test_it_requires_rw_access(client_for, file_calloff, bob):
    calloff = file_calloff()
    page = client_for(bob).get(reverse("calloffs:detail", args=[calloff.public_id])).content.decode()
    assert "Checkliste für die erste Stunde" in page and "Als erledigt abhaken" not in page  # sees, cannot tick
    assert tick(client_for(bob), calloff, FirstHourStep.LOG).status_code == 403
    assert not ChecklistTick.objects.exists() and not entries(calloff.incident)


def test_it_checks_ownership(client_for, setup, file_calloff, charlie):
    calloff = file_calloff()
    assert tick(client_for(charlie), calloff, FirstHourStep.LOG).status_code == 404  # another body
    assert tick(client_for(setup.staff[1]), calloff, FirstHourStep.LOG).status_code == 404  # another provider
    assert not ChecklistTick.objects.exists()


def test_the_provider_neither_sees_nor_ticks(client_for, setup, file_calloff):
    calloff = file_calloff()
    client_for(setup.staff[0]).post(reverse("calloffs:action", args=[calloff.public_id, "accept"]), LEAD)
    page = client_for(setup.staff[0]).get(reverse("calloffs:detail", args=[calloff.public_id])).content.decode()
    assert "Checkliste für die erste Stunde" not in page
    assert tick(client_for(setup.staff[0]), calloff, FirstHourStep.LOG).status_code == 403
    with pytest.raises(PermissionDenied):
        services.checklist_set(incident=calloff.incident, step="log", done=True, actor=setup.staff[0])
    assert not ChecklistTick.objects.exists()


def test_nonsense_is_refused_without_a_500(client_for, file_calloff, alice):
    calloff = file_calloff()
    assert tick(client_for(alice), calloff, "format_c").status_code == 400
    response = client_for(alice).post(
        reverse("calloffs:action", args=[calloff.public_id, "checklist"]), {"step": "log", "done": "vielleicht"}
    )
    assert response.status_code == 400
    with pytest.raises(ValidationError):
        services.checklist_set(incident=calloff.incident, step="format_c", done=True, actor=alice)
    assert not ChecklistTick.objects.exists()


def test_the_database_knows_the_steps(file_calloff):
    calloff = file_calloff()
    with pytest.raises(IntegrityError), transaction.atomic():
        ChecklistTick.objects.create(incident=calloff.incident, step="format_c")
    ChecklistTick.objects.create(incident=calloff.incident, step="log")
    with pytest.raises(IntegrityError), transaction.atomic():
        ChecklistTick.objects.create(incident=calloff.incident, step="log")


def test_the_service_is_durable(file_calloff, alice):
    calloff = file_calloff()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.checklist_set(incident=calloff.incident, step="log", done=True, actor=alice)


def test_the_selector_keeps_the_cards_order(file_calloff, alice):
    calloff = file_calloff()
    services.checklist_set(incident=calloff.incident, step="preserve", done=True, actor=alice)
    rows = first_hour_checklist(calloff.incident)
    assert [r.step for r in rows] == list(FirstHourStep.values)
    assert [r.done for r in rows] == [False] * 8 + [True] and rows[-1].changed_by == str(alice)


@pytest.mark.django_db(transaction=True)
def test_two_people_ticking_at_once_write_one_entry(setup, file_calloff, alice, ministry):
    if connection.vendor == "sqlite":
        pytest.skip("row locks need PostgreSQL (SQLite serialises whole transactions)")
    calloff = file_calloff()
    barrier = threading.Barrier(2)

    def run(user):
        barrier.wait()
        try:
            services.checklist_set(incident=calloff.incident, step="log", done=True, actor=user)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(u,)) for u in (alice, ministry)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(entries(calloff.incident)) == 1


def test_ticking_leaves_the_call_off_alone(file_calloff, alice):
    """Ticking is the incident's business: no call-off event, no notification."""
    calloff = file_calloff()
    before = calloff.events.count()
    services.checklist_set(incident=calloff.incident, step="log", done=True, actor=alice)
    assert calloff.events.count() == before
