"""The delivery log: every notification with its attempts for ministry staff; for the administration of
a body the messages to its own people about its own matters (notifications.selectors). Search and
filters in the URL, ``?export=csv`` downloads exactly the rows found. Replay is the ministry's alone.
Anyone else gets 404 (the page does not exist for them), and so does a notification one may not read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from digisos.csv_export import csv_response, export_query, wants_csv
from notifications import selectors
from notifications.errors import NotificationError
from notifications.filters import DeliveryFilterSet
from notifications.services import notification_replay

from .. import permissions

REPLAYABLE = {"delivered", "failed", "dead"}


def _require_ministry(user) -> None:
    if not permissions.is_ministry(user):
        raise Http404


def _require_log_reader(user) -> None:
    if not selectors.can_read_delivery_log(user):
        raise Http404


@login_required
def delivery_list(request):
    _require_log_reader(request.user)
    ministry = permissions.is_ministry(request.user)
    filterset = DeliveryFilterSet(
        request.GET or None, queryset=selectors.delivery_log(user=request.user), ministry=ministry
    )
    qs = filterset.qs
    if wants_csv(request):
        return _csv(qs)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    context = {
        "form": filterset.form,
        "filtered": any(v for k, v in request.GET.items() if k != "page"),
        "export_query": export_query(request),
        "page": page,
        "ministry": ministry,
        "replayable": REPLAYABLE if ministry else set(),
    }
    return render(request, "calloffs/deliveries.html", context)


def _csv(qs):
    header = [
        _("Erstellt am"),
        _("Bezug"),
        _("Stelle"),
        _("AGS"),
        _("Anlass"),
        _("Kanal"),
        _("Empfänger"),
        _("Status"),
        _("Versuche"),
        _("Zugestellt am"),
        _("Letzter Fehler"),
    ]
    rows = (
        (
            n.created_at,
            n.reference,
            n.organisation.name if n.organisation else "",
            n.organisation.ags if n.organisation else "",
            n.event_type,
            n.get_channel_display(),
            n.recipient,
            n.get_state_display(),
            n.attempts,
            n.delivered_at,
            n.last_error,
        )
        for n in qs.prefetch_related(None).iterator(chunk_size=500)
    )
    return csv_response("zustellungen", header, rows)


@login_required
def delivery_detail(request, public_id):
    notification = selectors.notification_for_user(user=request.user, public_id=public_id)
    ministry = permissions.is_ministry(request.user)
    return render(
        request,
        "calloffs/delivery_detail.html",
        {"n": notification, "ministry": ministry, "replayable": REPLAYABLE if ministry else set()},
    )


@login_required
@require_POST
def delivery_replay(request, public_id):
    _require_ministry(request.user)
    notification = selectors.notification_for_ministry(user=request.user, public_id=public_id)
    try:
        notification_replay(notification=notification, actor=request.user)
    except NotificationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Die Benachrichtigung {id} wird erneut zugestellt (gleiche Nachrichten-ID).").format(
                id=notification.webhook_id
            ),
        )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "calloffs:deliveries"
    return redirect(target)
