from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from digisos.csv_export import csv_response, export_query, wants_csv

from . import selectors, services
from .adapters import SESSION_KEY
from .filters import OrganisationListFilterSet
from .forms import (
    EligibilityForm,
    EmergencyContactForm,
    InvitationForm,
    LeitwegForm,
    MembershipForm,
    MinistryInvitationForm,
)
from .models import Membership


@login_required
def organisation_list(request):
    """Search and filters in the URL (GET form, kept by the pagination); ``?export=csv`` downloads the rows."""
    filterset = OrganisationListFilterSet(request.GET or None, queryset=selectors.organisation_list(user=request.user))
    qs = filterset.qs
    if wants_csv(request):
        header = [
            _("Name"),
            _("Art"),
            _("AGS"),
            _("Regierungsbezirk"),
            _("Einwohner"),
            _("Übergeordnete Stelle"),
            _("Abrufberechtigt"),
        ]
        rows = (
            (
                o.name,
                o.get_kind_display(),
                o.ags,
                o.regierungsbezirk,
                o.population,
                o.parent.name if o.parent else "",
                _("ja") if o.is_eligible() else _("nein"),
            )
            for o in qs.iterator(chunk_size=500)
        )
        return csv_response("stellen", header, rows)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "tenants/organisation_list.html",
        {
            "form": filterset.form,
            "page": page,
            "filtered": any(v and k != "page" for k, v in request.GET.items()),
            "export_query": export_query(request),
        },
    )


@login_required
def organisation_detail(request, public_id):
    organisation = selectors.organisation_for_user(user=request.user, public_id=public_id)
    is_admin = selectors.is_body_admin(user=request.user, organisation=organisation)
    eligibility_form = EligibilityForm(instance=organisation) if request.user.is_ministry_staff else None
    contact_form = EmergencyContactForm() if is_admin else None
    leitweg_form = LeitwegForm(initial={"leitweg_id": organisation.leitweg_id}) if is_admin else None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "leitweg":
            if not is_admin:
                raise PermissionDenied
            leitweg_form = LeitwegForm(request.POST)
            if leitweg_form.is_valid():
                services.organisation_set_leitweg_id(
                    organisation=organisation, actor=request.user, leitweg_id=leitweg_form.cleaned_data["leitweg_id"]
                )
                messages.success(request, _("Die Leitweg-ID wurde gespeichert."))
                return redirect(request.path)
            status = 400
        elif action == "eligibility":
            if not request.user.is_ministry_staff:
                raise PermissionDenied
            eligibility_form = EligibilityForm(request.POST, instance=organisation)
            if eligibility_form.is_valid():
                services.organisation_set_eligibility(
                    organisation=organisation,
                    actor=request.user,
                    eligible_from=eligibility_form.cleaned_data["eligible_from"],
                    eligible_until=eligibility_form.cleaned_data["eligible_until"],
                )
                messages.success(request, _("Die Abrufberechtigung wurde gespeichert."))
                return redirect(request.path)
        elif action == "contact":
            if not is_admin:
                raise PermissionDenied
            contact_form = EmergencyContactForm(request.POST, instance=_new_contact(organisation))
            if contact_form.is_valid():
                services.emergency_contact_save(contact=contact_form.instance, actor=request.user)
                messages.success(request, _("Der Notfallkontakt wurde gespeichert."))
                return redirect(request.path)
        elif action == "contact_delete":
            if not is_admin:
                raise PermissionDenied
            contact_id = request.POST.get("contact", "")
            if not contact_id.isdigit():
                raise Http404
            contact = get_object_or_404(organisation.emergency_contacts, pk=int(contact_id))
            services.emergency_contact_delete(contact=contact, actor=request.user)
            messages.success(request, _("Der Notfallkontakt wurde entfernt."))
            return redirect(request.path)
    context = {
        "organisation": organisation,
        "is_admin": is_admin,
        "membership": selectors.membership_of(user=request.user, organisation=organisation),
        "members": organisation.memberships.select_related("user").order_by("user__email") if is_admin else None,
        "invitations": organisation.invitations.pending() if is_admin else None,
        "children": organisation.children.order_by("name")[:500],
        "contacts": organisation.emergency_contacts.all(),
        "eligibility_form": eligibility_form,
        "contact_form": contact_form,
        "leitweg_form": leitweg_form,
        "invitation_form": InvitationForm() if is_admin else None,
    }
    return render(request, "tenants/organisation_detail.html", context, status=status)


def _new_contact(organisation):
    from .models import EmergencyContact

    return EmergencyContact(organisation=organisation)


@login_required
def invitation_create_view(request, public_id):
    organisation = selectors.organisation_for_user(user=request.user, public_id=public_id)
    if not selectors.is_body_admin(user=request.user, organisation=organisation):
        return HttpResponseForbidden(_("Nur die Administration der Stelle kann Kolleginnen und Kollegen einladen."))
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_create(
                actor=request.user,
                email=form.cleaned_data["email"],
                organisation=organisation,
                role=form.cleaned_data["role"],
            )
        except ValidationError as exc:
            form.add_error("email", exc)
        else:
            messages.success(request, _("Die Einladung wurde an %(email)s gesendet.") % form.cleaned_data)
            return redirect("tenants:organisation_detail", public_id=organisation.public_id)
    return render(request, "tenants/invitation_form.html", {"form": form, "organisation": organisation})


@login_required
def ministry_invitation_create_view(request):
    if not request.user.is_ministry_staff:
        return HttpResponseForbidden(_("Nur Mitarbeitende des Ministeriums können dies tun."))
    form = MinistryInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_create(actor=request.user, email=form.cleaned_data["email"], as_ministry_staff=True)
        except ValidationError as exc:
            form.add_error("email", exc)
        else:
            messages.success(request, _("Die Einladung wurde an %(email)s gesendet.") % form.cleaned_data)
            return redirect("home")
    return render(request, "tenants/invitation_form.html", {"form": form, "organisation": None})


@login_required
@require_POST
def membership_update_view(request, public_id, membership_id):
    organisation = selectors.organisation_for_user(user=request.user, public_id=public_id)
    membership = get_object_or_404(Membership, pk=membership_id, organisation=organisation)
    if not selectors.is_body_admin(user=request.user, organisation=organisation):
        return HttpResponseForbidden(_("Nur die Administration der Stelle kann Rollen ändern."))
    form = MembershipForm(request.POST)
    if form.is_valid():
        try:
            if form.cleaned_data["remove"]:
                services.membership_remove(membership=membership, actor=request.user)
                messages.success(request, _("Die Mitgliedschaft wurde beendet."))
            else:
                services.membership_set_role(membership=membership, role=form.cleaned_data["role"], actor=request.user)
                messages.success(request, _("Die Rolle wurde geändert."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Bitte eine gültige Rolle wählen."))
    return redirect("tenants:organisation_detail", public_id=organisation.public_id)


def invitation_accept_view(request, token):
    """The link from the invitation e-mail: remember the invitation, then allauth's sign-up takes over."""
    invitation = services.invitation_for_token(token)
    if invitation is None or not invitation.is_usable:
        return render(request, "tenants/invitation_invalid.html", status=410 if invitation else 404)
    if request.user.is_authenticated:
        if request.user.email.lower() != invitation.email.lower():
            return render(request, "tenants/invitation_invalid.html", {"wrong_account": True}, status=403)
        services.invitation_accept(invitation=invitation, user=request.user)
        messages.success(request, _("Die Einladung wurde angenommen."))
        return redirect("home")
    request.session[SESSION_KEY] = str(invitation.public_id)
    from allauth.account.adapter import get_adapter

    get_adapter(request).stash_verified_email(request, invitation.email)
    return redirect("account_signup")
