"""The API's READ/WRITE labels are enforced: READ actions answer only safe methods, WRITE actions only
methods that change something; a label that does not fit its method is refused loudly."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from calloffs.api import views, webhook_endpoints
from calloffs.api.permissions import READ, WRITE, ProviderApiPermission
from calloffs.models import ProviderApiKey


def routes(patterns=None):
    """(viewset, action, METHOD) for every route of the API's URLconf (DRF keeps the mapping on the view)."""
    from django.urls import URLPattern, URLResolver

    from calloffs.api import urls

    for pattern in urls.urlpatterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and getattr(pattern.callback, "actions", None):
            for method, action in pattern.callback.actions.items():
                yield pattern.callback.cls, action, method.upper()


def test_every_route_has_a_label_that_fits_its_method():
    seen = [(cls, action, method) for cls, action, method in routes() if hasattr(cls, "action_permissions")]
    assert {cls for cls, _, _ in seen} >= {views.CallOffViewSet, webhook_endpoints.WebhookEndpointViewSet}
    for cls, action, method in seen:
        label = cls.action_permissions[action]
        label = label.get("GET" if method == "HEAD" else method) if isinstance(label, dict) else label
        assert label in (READ, WRITE), (cls.__name__, action, method)
        assert (label == READ) == (method in SAFE_METHODS), (cls.__name__, action, method, label)


@pytest.mark.django_db
def test_a_wrong_label_is_refused(keys, setup):
    key = ProviderApiKey.objects.get(provider=setup.providers[0])

    class Mislabelled(views.CallOffViewSet):
        action_permissions = {"list": WRITE, "accept": READ}

    for method, action in (("get", "list"), ("post", "accept")):
        request = Request(getattr(APIRequestFactory(), method)("/api/v1/calloffs/"))
        request.user, request.auth = key.account, key
        view = Mislabelled()
        view.action = action
        with pytest.raises(ImproperlyConfigured, match="is labelled"):
            ProviderApiPermission().has_permission(request, view)
    # The real labels pass for the same requests.
    request = Request(APIRequestFactory().get("/api/v1/calloffs/"))
    request.user, request.auth = key.account, key
    view = views.CallOffViewSet()
    view.action = "list"
    assert ProviderApiPermission().has_permission(request, view)
