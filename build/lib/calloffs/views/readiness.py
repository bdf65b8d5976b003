"""The body's network overview for the provider that accepted the call-off (need to know, the rule of
calloffs.visibility.provider_sees_profile): from the acceptance while it works on the call-off and
for PROFILE_AFTER_CLOSE after the body closed it. Not before the acceptance, not a provider that was
only offered it, not the ministry, not the body through this address (it has its own, on its
profile): 404 for all of them, and when the body has no network overview."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.urls import reverse

from readiness.responses import altered_page, network_overview_response
from readiness.selectors import network_overview_of

from ..visibility import calloffs_with_profile_for


@login_required
def network_overview(request, public_id):
    calloff = calloffs_with_profile_for(request.user).filter(public_id=public_id).first()
    if calloff is None:
        raise Http404
    overview = network_overview_of(organisation_id=calloff.organisation_id)
    if overview is None:
        raise Http404
    response = network_overview_response(overview, actor=request.user, via=f"calloff:{calloff.number}")
    if response is None:
        return altered_page(request, overview, reverse("calloffs:detail", args=[calloff.public_id]) + "#readiness")
    return response
