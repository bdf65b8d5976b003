"""The delivery log for ministry staff: every notification with its attempts, and a replay button.
Anyone else gets 404 (the page does not exist for them)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from notifications import selectors
from notifications.errors import NotificationError
from notifications.models import Audience, Channel, NotificationState
from notifications.services import notification_replay

from .. import permissions


class DeliveryFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=gettext_lazy("Status"), required=False, choices=[("", gettext_lazy("Alle")), *NotificationState.choices]
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Kanal"), required=False, choices=[("", gettext_lazy("Alle")), *Channel.choices]
    )
    audience = forms.ChoiceField(
        label=gettext_lazy("Empfängerkreis"), required=False, choices=[("", gettext_lazy("Alle")), *Audience.choices]
    )
    q = forms.CharField(label=gettext_lazy("Abrufnummer oder Empfänger"), required=False, max_length=100)


def _require_ministry(user) -> None:
    if not permissions.is_ministry(user):
        raise Http404


@login_required
def delivery_list(request):
    _require_ministry(request.user)
    form = DeliveryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.delivery_log(user=request.user, filters=filters)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "calloffs/deliveries.html",
        {"form": form, "page": page, "replayable": {"delivered", "failed", "dead"}},
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
