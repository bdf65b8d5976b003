"""The call-off page: status timeline that updates by itself, and the actions each party may take.

Which action is open to whom in which state is written down once, in ``CALLOFF_ACTIONS``: the page
shows an action's form when ``shown`` says so, and a POST is let through to the service only when
the party may take the action at all (``ActionSpec.allows``). The service still checks the state
under its row lock and answers with its own message (e.g. "already accepted by someone else")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from digisos.fast_reverse import reverse_uuids
from incidents import selectors as incident_selectors
from incidents import services as incident_services
from readiness import selectors as readiness_selectors
from tenants.selectors import roles_of

from .. import permissions, selectors, services
from ..errors import CallOffError
from ..forms import AcceptForm, ChecklistForm, ManualAssignForm, ReasonForm, SummaryForm
from ..models import TRANSITIONS, CallOff, CallOffState, Offer, Provider
from ..services.scope import SCOPE_STATES
from ..visibility import PROFILE_AFTER_CLOSE, profile_window_open

if TYPE_CHECKING:
    from django.forms import Form

S = CallOffState


@dataclass(frozen=True)
class Viewer:
    """Who is looking at a call-off, worked out once per request."""

    provider: Provider | None
    open_offer: Offer | None
    is_assigned: bool
    body_side: bool
    ministry: bool
    keeps_record: bool  # may change the incident record (the body's callers and admins, the ministry)

    @classmethod
    def of(cls, user, calloff: CallOff) -> Viewer:
        provider = permissions.provider_of(user)
        return cls(
            provider=provider,
            open_offer=selectors.offer_open_for_provider(calloff=calloff, provider=provider) if provider else None,
            is_assigned=provider is not None and calloff.provider_id == provider.pk,
            body_side=permissions.can_act_for_body(user, calloff),
            ministry=permissions.is_ministry(user),
            # incidents.services.can_edit, from the roles read once per request (no query of its own).
            keeps_record=permissions.is_ministry(user)
            or roles_of(user).get(calloff.organisation_id) in permissions.FILING_ROLES,
        )


#: The parties of a call-off, as the action table names them.
PARTIES = {
    "offered_provider": lambda v: v.open_offer is not None,
    "assigned_provider": lambda v: v.is_assigned,
    "body": lambda v: v.body_side,
    "body_or_ministry": lambda v: v.body_side or v.ministry,
    "ministry": lambda v: v.ministry,
    "record_keeper": lambda v: v.keeps_record,
}


def _states_that_may_move_to(target: str) -> frozenset[str]:
    return frozenset(state for state, targets in TRANSITIONS.items() if target in targets)


@dataclass(frozen=True)
class ActionSpec:
    """One action of the call-off page: who may take it, in which states it is offered, its form."""

    party: str
    states: frozenset[str]
    form: type[Form] | None
    success: str
    #: False for an action that lives on a page of its own (only the link is shown here).
    posts_here: bool = True
    #: False for a form the page does not render (the checklist's steps are their own small forms,
    #: calloffs/templatetags/calloff_page.py): built only to check a POST, not for every page.
    form_on_page: bool = True

    def allows(self, viewer: Viewer) -> bool:
        return PARTIES[self.party](viewer)

    def shown(self, viewer: Viewer, calloff: CallOff) -> bool:
        return calloff.state in self.states and self.allows(viewer)


#: The one table of call-off actions: {action: who, when, form}.
CALLOFF_ACTIONS: dict[str, ActionSpec] = {
    "accept": ActionSpec(
        "offered_provider", frozenset({S.OFFERED}), AcceptForm, gettext_lazy("Sie haben den Abruf angenommen.")
    ),
    "decline": ActionSpec(
        "offered_provider",
        frozenset({S.OFFERED}),
        ReasonForm,
        gettext_lazy("Sie haben das Angebot abgelehnt; es geht an den nächsten Dienstleister."),
    ),
    "start": ActionSpec(
        "assigned_provider", frozenset({S.ACCEPTED}), None, gettext_lazy("Die Arbeit ist als begonnen vermerkt.")
    ),
    "complete": ActionSpec(
        "assigned_provider",
        _states_that_may_move_to(S.COMPLETED),
        SummaryForm,
        gettext_lazy("Die Leistung ist als erbracht gemeldet."),
    ),
    "close": ActionSpec(
        "body",
        _states_that_may_move_to(S.CLOSED),
        None,
        gettext_lazy("Der Abruf ist abgeschlossen; der Leistungsnachweis ist bestätigt."),
    ),
    "cancel": ActionSpec(
        "body_or_ministry",
        _states_that_may_move_to(S.CANCELLED),
        ReasonForm,
        gettext_lazy("Der Abruf wurde storniert."),
    ),
    "assign": ActionSpec(
        "ministry",
        frozenset({S.UNASSIGNED, S.OFFERED}),
        ManualAssignForm,
        gettext_lazy(
            "Der Dienstleister ist verbindlich beauftragt und benachrichtigt; die Abweichung ist dokumentiert."
        ),
    ),
    # The first-hour checklist of the incident (incidents.services.checklist_set), in every state.
    "checklist": ActionSpec(
        "record_keeper",
        frozenset(S.values),
        ChecklistForm,
        gettext_lazy("Die Checkliste ist aktualisiert."),
        form_on_page=False,
    ),
    # Change of scope has a page of its own (views/scope.py), which asks this table too.
    "scope": ActionSpec("body_or_ministry", frozenset(SCOPE_STATES), None, "", posts_here=False),
}

#: Each form of the page gets its own ids (a ministry sees the assignment and the cancellation form, both
#: with a "reason"): one id per page, and each label names its own field. The field names stay the same.
AUTO_ID = {action: f"{action}_%s" for action, spec in CALLOFF_ACTIONS.items() if spec.form is not None}


def may_attempt(action: str, user, calloff: CallOff) -> bool:
    """Who may try an action at all (the service still checks state and details)."""
    spec = CALLOFF_ACTIONS.get(action)
    return spec is not None and spec.allows(Viewer.of(user, calloff))


def _new_form(action: str, calloff: CallOff, data=None):
    spec = CALLOFF_ACTIONS[action]
    kwargs = {"calloff": calloff} if spec.form is ManualAssignForm else {}
    return spec.form(data, auto_id=AUTO_ID[action], **kwargs)


def _context(request, calloff, *, live: bool = False, **forms):
    """live: only what the part that updates itself shows (htmx/calloff_live.html): no forms, no checklist."""
    viewer = Viewer.of(request.user, calloff)
    available = {action: spec.shown(viewer, calloff) for action, spec in CALLOFF_ACTIONS.items()}
    # A form for every action the party may take now (the one that failed keeps its input and errors).
    action_forms = {
        f"{action}_form": forms.get(f"{action}_form") or _new_form(action, calloff)
        for action, spec in CALLOFF_ACTIONS.items()
        if spec.form is not None and available[action] and not live and (spec.form_on_page or f"{action}_form" in forms)
    }
    checklist = None
    if not viewer.provider and not live:
        checklist = incident_selectors.first_hour_checklist(calloff.incident)
    sees_provider = calloff.provider_id and (not viewer.provider or viewer.is_assigned)
    # The body's readiness profile, for the accepting provider only (calloffs.visibility): one query.
    shows_profile = viewer.is_assigned and not live and profile_window_open(calloff)
    readiness_profile = (
        readiness_selectors.profile_with_version_at(organisation_id=calloff.organisation_id, at=calloff.accepted_at)
        if shows_profile
        else None
    )
    accepted_provider = calloff.provider if sees_provider else None
    return {
        "calloff": calloff,
        "actions": available,
        **action_forms,
        "services": selectors.calloff_services_for_page(calloff),
        # has_attachments: annotated by calloff_for_user (none: nothing to read).
        "attachments": calloff.attachments.all() if getattr(calloff, "has_attachments", True) else (),
        "events": selectors.calloff_timeline_for_page(calloff, for_provider=viewer.provider),
        "open_offer": viewer.open_offer,
        # Whom the body and the ministry are waiting for (a provider's staff are shown their own offer).
        "current_offer": selectors.offer_open_for_page(calloff) if viewer.provider is None else None,
        "is_assigned": viewer.is_assigned,
        "provider_view": viewer.provider is not None,
        # The body's call-back contact goes to a provider only once it has accepted.
        "show_contact": not viewer.provider or viewer.is_assigned,
        "body_side": viewer.body_side,
        "ministry": viewer.ministry,
        # Need to know: the accepted provider's people for the body and the ministry (and itself).
        "accepted_provider": accepted_provider,
        "provider_contacts": list(accepted_provider.contacts.all()) if accepted_provider else [],
        # The body's first-hour checklist: the body and the ministry see it, providers do not.
        "checklist": checklist,
        "checklist_done": sum(row.done for row in checklist or ()),
        # The settlement statements of this call-off (settlement app, /abrechnung/): for its parties only,
        # the body's members, the accepting provider and the ministry. A link, no query into settlement.
        "settlement_url": f"{reverse_uuids('settlement:list')}?abruf={calloff.public_id}"
        if not live
        and (viewer.ministry or viewer.is_assigned or roles_of(request.user).get(calloff.organisation_id) is not None)
        else None,
        "shows_profile": shows_profile,
        "readiness_profile": readiness_profile,
        "profile_days_after_close": PROFILE_AFTER_CLOSE.days,
        # The body's own members are told that the accepting provider sees their profile (a link, no query).
        "readiness_url": reverse_uuids("readiness:profile", calloff.organisation.public_id)
        if not live and roles_of(request.user).get(calloff.organisation_id) is not None
        else None,
        "now": timezone.now(),
        "updated_stamp": calloff.updated_at.isoformat(),
    }


@login_required
def calloff_detail(request, public_id):
    calloff = selectors.calloff_for_page(user=request.user, public_id=public_id)
    return render(request, "calloffs/calloff_detail.html", _context(request, calloff))


@never_cache
@login_required
def calloff_live(request, public_id):
    """The part of the page that changes; fetched every few seconds by static/js/calloff_detail.js."""
    calloff = selectors.calloff_for_page(user=request.user, public_id=public_id)
    response = render(request, "htmx/calloff_live.html", _context(request, calloff, live=True))
    response["X-Calloff-Updated"] = calloff.updated_at.isoformat()
    return response


def _run(action, *, calloff, user, data):
    provider = permissions.provider_of(user)
    if action == "accept":
        return services.offer_accept(calloff=calloff, provider=provider, actor=user, **data)
    if action == "decline":
        return services.offer_decline(calloff=calloff, provider=provider, actor=user, reason=data["reason"])
    if action == "start":
        return services.calloff_start(calloff=calloff, provider=provider, actor=user)
    if action == "complete":
        return services.calloff_complete(calloff=calloff, provider=provider, actor=user, summary=data["summary"])
    if action == "close":
        return services.calloff_close(calloff=calloff, actor=user)
    if action == "cancel":
        return services.calloff_cancel(calloff=calloff, actor=user, reason=data["reason"])
    if action == "assign":
        return services.calloff_assign_manually(
            calloff=calloff, provider=data["provider"], actor=user, reason=data["reason"]
        )
    if action == "checklist":
        return incident_services.checklist_set(
            incident=calloff.incident, step=data["step"], done=data["done"], actor=user
        )
    raise Http404


@login_required
@require_POST
def calloff_action(request, public_id, action):
    calloff = selectors.calloff_for_user(user=request.user, public_id=public_id)
    spec = CALLOFF_ACTIONS.get(action)
    if spec is None or not spec.posts_here:
        raise Http404
    if not spec.allows(Viewer.of(request.user, calloff)):
        # Checked before the form, so a read-only member gets 403, not "please correct your input".
        messages.error(request, _("Für diese Aktion fehlt Ihnen die Berechtigung."))
        return render(request, "calloffs/calloff_detail.html", _context(request, calloff), status=403)
    key = f"{action}_form"
    form = None
    if spec.form is not None:
        form = _new_form(action, calloff, request.POST)
        if not form.is_valid():
            messages.error(request, _("Bitte prüfen Sie Ihre Angaben."))
            return render(
                request, "calloffs/calloff_detail.html", _context(request, calloff, **{key: form}), status=400
            )
    try:
        _run(action, calloff=calloff, user=request.user, data=form.cleaned_data if form else {})
    except CallOffError as exc:
        messages.error(request, exc.message)
        if exc.http_status == 403:  # visible, but not theirs to change: say so with the status too
            return render(request, "calloffs/calloff_detail.html", _context(request, calloff), status=403)
        if form is not None and exc.field in form.fields:
            form.add_error(exc.field, exc.message)
            status = 409 if exc.http_status == 409 else 400
            return render(
                request, "calloffs/calloff_detail.html", _context(request, calloff, **{key: form}), status=status
            )
    else:
        messages.success(request, spec.success)
    # After a provider declines, the call-off is no longer visible to it: back to its list.
    if not selectors.calloff_list(user=request.user).filter(pk=calloff.pk).exists():
        return redirect("calloffs:list")
    if action == "checklist":  # back to the list that was ticked
        return redirect(reverse("calloffs:detail", args=[calloff.public_id]) + f"#step-{form.cleaned_data['step']}")
    return redirect("calloffs:detail", public_id=calloff.public_id)
