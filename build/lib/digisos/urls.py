from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from calloffs.views import documents as calloff_documents

from . import admin_site, ops_views, views

admin_site.configure()

# A lost database is a 503 with a clear page (and problem+json in the API), not a traceback.
handler400 = "digisos.outage.bad_request"
handler500 = "digisos.outage.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("ready/", ops_views.ready, name="ready"),
    path("metrics", ops_views.metrics, name="metrics"),
    path("barrierefreiheit/", TemplateView.as_view(template_name="pages/accessibility.html"), name="accessibility"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("stellen/", include("tenants.urls")),
    path("vorfaelle/", include("incidents.urls")),
    path("abrufe/", include("calloffs.urls")),
    path("abrechnung/", include("settlement.urls")),
    path("verify/<str:code>/", calloff_documents.verify, name="verify"),
    path("nachbereitung/", include("aftercare.urls")),
    path("api/v1/", include("aftercare.api.urls")),  # before the call-off API and its catch-all
    path("api/v1/", include("settlement.api.urls")),  # before calloffs' API: it ends in a catch-all 404
    path("api/v1/", include("calloffs.api.urls")),
    path("", include("statuspages.urls")),
    path("zugang/", include("onboarding.urls")),
    path("bereitschaft/", include("readiness.urls")),
    path("admin/", admin.site.urls),
]
