"""The public request form (no account, rate-limited per address) and the pages where the parent
body's administration confirms and the ministry approves or refuses."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from digisos.body_limits import body_limit
from digisos.client_ip import client_ip
from digisos.ratelimit import hit

from . import services
from .forms import AccessRequestForm, ApproveForm, RefuseForm
from .models import PROOF_MAX_BYTES, AccessRequest


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@body_limit(PROOF_MAX_BYTES)  # larger bodies are refused unread (digisos.body_limits)
def request_form(request):
    form = AccessRequestForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        # Only a complete form counts against the address's limit (junk that fails validation creates
        # nothing and sends nothing); a refused file counts too (settings.ONBOARDING_REQUEST_RATE), and
        # the address is the client's, not the proxy's.
        ip = client_ip(request)
        allowed, _retry = hit(f"onboarding:{ip}", settings.ONBOARDING_REQUEST_RATE)
        if not allowed:
            form = AccessRequestForm(request.POST)  # keep the entries; the file must be chosen again
            form.add_error(
                None,
                _("Von Ihrem Anschluss kamen in kurzer Zeit sehr viele Anträge. Bitte versuchen Sie es später erneut."),
            )
            status = 429
        else:
            data = {k: v for k, v in form.cleaned_data.items() if k != "proof"}
            try:
                access_request = services.access_request_submit(data=data, proof=form.cleaned_data["proof"], ip=ip)
            except ValidationError as exc:
                _apply_errors(form, exc)
            except services.OnboardingError as exc:  # the cap on requests from all addresses together
                form.add_error(None, exc.message)
                status = 429
            else:
                request.session["onboarding_reference"] = access_request.reference
                return redirect("onboarding:received")
    return render(request, "onboarding/request_form.html", {"form": form}, status=status)


@require_GET
def received(request):
    return render(request, "onboarding/received.html", {"reference": request.session.get("onboarding_reference", "")})


@login_required
def request_list(request):
    requests = AccessRequest.objects.visible_to(request.user).select_related("parent", "organisation")[:500]
    return render(request, "onboarding/request_list.html", {"requests": requests})


@login_required
def request_detail(request, public_id):
    access_request = get_object_or_404(
        AccessRequest.objects.visible_to(request.user).select_related("parent", "organisation"), public_id=public_id
    )
    is_ministry = request.user.is_ministry_staff
    is_parent_admin = services.is_parent_admin(request.user, access_request)
    approve_form, refuse_form = ApproveForm(), RefuseForm()
    if request.method == "POST":
        action = request.POST.get("action", "")
        if (action == "confirm" and not is_parent_admin) or (action in ("approve", "refuse") and not is_ministry):
            return HttpResponseForbidden(_("Diese Entscheidung steht Ihnen nicht zu."))
        try:
            if action == "confirm":
                services.access_request_confirm(access_request=access_request, actor=request.user)
                messages.success(request, _("Sie haben den Antrag bestätigt. Das Ministerium entscheidet nun."))
                return redirect(request.path)
            if action == "approve":
                approve_form = ApproveForm(request.POST)
                if approve_form.is_valid():
                    services.access_request_approve(
                        access_request=access_request,
                        actor=request.user,
                        admin_email=approve_form.cleaned_data["admin_email"],
                    )
                    messages.success(request, _("Die Stelle ist angelegt und ihre erste Administration eingeladen."))
                    return redirect(request.path)
            elif action == "refuse":
                refuse_form = RefuseForm(request.POST)
                if refuse_form.is_valid():
                    services.access_request_refuse(
                        access_request=access_request, actor=request.user, reason=refuse_form.cleaned_data["reason"]
                    )
                    messages.success(request, _("Der Antrag ist abgelehnt; die Begründung geht per E-Mail hinaus."))
                    return redirect(request.path)
            else:
                messages.error(request, _("Diese Aktion ist hier nicht möglich."))
        except services.OnboardingError as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            _apply_errors(approve_form if action == "approve" else refuse_form, exc)
    context = {
        "access_request": access_request,
        "is_ministry": is_ministry,
        "is_parent_admin": is_parent_admin,
        "approve_form": approve_form,
        "refuse_form": refuse_form,
    }
    return render(request, "onboarding/request_detail.html", context)


@login_required
@require_GET
def proof_download(request, public_id):
    access_request = get_object_or_404(AccessRequest.objects.visible_to(request.user), public_id=public_id)
    response = FileResponse(
        access_request.proof.open("rb"),
        as_attachment=True,
        filename=access_request.proof_name,
        content_type=access_request.proof_content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
