"""The call-off page: status timeline that updates by itself, and the actions each party may take."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .. import permissions, selectors, services
from ..errors import CallOffError
from ..forms import AcceptForm, ManualAssignForm, ReasonForm, SummaryForm
from ..models import CallOffState, OfferState

#: Each form of the page gets its own ids (a ministry sees the assignment and the cancellation form, both
#: with a "reason"): one id per page, and each label names its own field. The field names stay the same.
AUTO_ID = {
    "accept_form": "accept_%s",
    "decline_form": "decline_%s",
    "cancel_form": "cancel_%s",
    "complete_form": "complete_%s",
    "assign_form": "assign_%s",
}


def _context(request, calloff, **forms):
    user = request.user
    provider = permissions.provider_of(user)
    open_offer = selectors.offer_open_for_provider(calloff=calloff, provider=provider) if provider else None
    is_assigned = provider is not None and calloff.provider_id == provider.pk
    body_side = permissions.can_act_for_body(user, calloff)
    can_cancel = permissions.can_cancel(user, calloff) and calloff.can_move_to(CallOffState.CANCELLED)
    ministry = permissions.is_ministry(user)
    # The body's call-back contact goes to a provider only once it has accepted.
    show_contact = not provider or is_assigned
    return {
        "calloff": calloff,
        "services": selectors.calloff_services(calloff),
        "events": selectors.calloff_timeline(calloff, for_provider=provider),
        "offers": selectors.calloff_offers(calloff).select_related("provider") if (ministry or body_side) else None,
        "open_offer": open_offer,
        "current_offer": calloff.offers.filter(state=OfferState.OPEN).select_related("provider").first(),
        "is_assigned": is_assigned,
        "provider_view": provider is not None,
        "show_contact": show_contact,
        "body_side": body_side,
        "ministry": ministry,
        "accept_form": forms.get("accept_form") or (AcceptForm(auto_id=AUTO_ID["accept_form"]) if open_offer else None),
        "decline_form": forms.get("decline_form")
        or (ReasonForm(auto_id=AUTO_ID["decline_form"]) if open_offer else None),
        "cancel_form": forms.get("cancel_form") or (ReasonForm(auto_id=AUTO_ID["cancel_form"]) if can_cancel else None),
        "complete_form": forms.get("complete_form")
        or (
            SummaryForm(auto_id=AUTO_ID["complete_form"])
            if is_assigned and calloff.can_move_to(CallOffState.COMPLETED)
            else None
        ),
        "can_start": is_assigned and calloff.state == CallOffState.ACCEPTED,
        "can_close": body_side and calloff.state == CallOffState.COMPLETED,
        "assign_form": forms.get("assign_form")
        or (
            ManualAssignForm(contract=calloff.contract, auto_id=AUTO_ID["assign_form"])
            if ministry and calloff.state in (CallOffState.UNASSIGNED, CallOffState.OFFERED)
            else None
        ),
        "time_entries": selectors.time_entries_for(calloff) if (ministry or body_side or is_assigned) else None,
        "now": timezone.now(),
        "updated_stamp": calloff.updated_at.isoformat(),
    }


@login_required
def calloff_detail(request, public_id):
    calloff = selectors.calloff_for_user(user=request.user, public_id=public_id)
    return render(request, "calloffs/calloff_detail.html", _context(request, calloff))


@never_cache
@login_required
def calloff_live(request, public_id):
    """The part of the page that changes; fetched every few seconds by static/js/calloff_detail.js."""
    calloff = selectors.calloff_for_user(user=request.user, public_id=public_id)
    response = render(request, "htmx/calloff_live.html", _context(request, calloff))
    response["X-Calloff-Updated"] = calloff.updated_at.isoformat()
    return response


ACTIONS = {
    # action: (form class or None, context key of the form, service call)
    "accept": (AcceptForm, "accept_form"),
    "decline": (ReasonForm, "decline_form"),
    "start": (None, None),
    "complete": (SummaryForm, "complete_form"),
    "close": (None, None),
    "cancel": (ReasonForm, "cancel_form"),
    "assign": (ManualAssignForm, "assign_form"),
}

SUCCESS = {
    "accept": gettext_lazy("Sie haben den Abruf angenommen."),
    "decline": gettext_lazy("Sie haben das Angebot abgelehnt; es geht an den nächsten Dienstleister."),
    "start": gettext_lazy("Die Arbeit ist als begonnen vermerkt."),
    "complete": gettext_lazy("Die Leistung ist als erbracht gemeldet."),
    "close": gettext_lazy("Der Abruf ist abgeschlossen; der Leistungsnachweis ist bestätigt."),
    "cancel": gettext_lazy("Der Abruf wurde storniert."),
    "assign": gettext_lazy("Der Dienstleister wurde manuell beauftragt; die Abweichung ist dokumentiert."),
}


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
    raise Http404


def _may_attempt(action: str, user, calloff) -> bool:
    """Who may try an action at all (the service still checks state and details)."""
    provider = permissions.provider_of(user)
    if action in ("accept", "decline"):
        return provider is not None
    if action in ("start", "complete"):
        return provider is not None and calloff.provider_id == provider.pk
    if action == "close":
        return permissions.can_act_for_body(user, calloff)
    if action == "cancel":
        return permissions.can_cancel(user, calloff)
    if action == "assign":
        return permissions.is_ministry(user)
    return False


@login_required
@require_POST
def calloff_action(request, public_id, action):
    calloff = selectors.calloff_for_user(user=request.user, public_id=public_id)
    if action not in ACTIONS:
        raise Http404
    form_class, key = ACTIONS[action]
    if not _may_attempt(action, request.user, calloff):
        # Checked before the form, so a read-only member gets 403, not "please correct your input".
        messages.error(request, _("Für diese Aktion fehlt Ihnen die Berechtigung."))
        return render(request, "calloffs/calloff_detail.html", _context(request, calloff), status=403)
    form = None
    if form_class is not None:
        kwargs = {"contract": calloff.contract} if form_class is ManualAssignForm else {}
        form = form_class(request.POST, auto_id=AUTO_ID[key], **kwargs)
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
        messages.success(request, SUCCESS[action])
    # After a provider declines, the call-off is no longer visible to it: back to its list.
    if not selectors.calloff_list(user=request.user).filter(pk=calloff.pk).exists():
        return redirect("calloffs:list")
    return redirect("calloffs:detail", public_id=calloff.public_id)
