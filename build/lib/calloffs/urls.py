from django.urls import include, path, register_converter

from digisos.url_words import word_converter

from .views import (
    api_keys,
    attachments,
    deliveries,
    detail,
    filing,
    lists,
    provider_billing,
    provider_webhooks,
    readiness,
    scope,
    situation,
)
from .views import documents as document_views

app_name = "calloffs"

# German words in the address bar for the call-off actions; the code keeps the English keys.
ACTION_WORDS = {
    "accept": "annehmen",
    "decline": "ablehnen",
    "start": "beginnen",
    "complete": "erbracht",
    "close": "abschliessen",
    "cancel": "stornieren",
    "assign": "zuweisen",
    "checklist": "checkliste",
}
register_converter(word_converter(ACTION_WORDS), "calloff_action")

urlpatterns = [
    path("", lists.calloff_list, name="list"),
    path("neu/", filing.calloff_create, name="create"),
    path("uebungen/", include("calloffs.drills.urls")),
    path("lagebild/", situation.situation, name="situation"),
    path("zustellungen/", deliveries.delivery_list, name="deliveries"),
    path("zustellungen/<uuid:public_id>/", deliveries.delivery_detail, name="delivery_detail"),
    path("zustellungen/<uuid:public_id>/erneut/", deliveries.delivery_replay, name="delivery_replay"),
    path("vertrag/", include("calloffs.contract.urls")),
    path("api-schluessel/", api_keys.api_keys, name="api_keys"),
    path("webhooks/", provider_webhooks.webhooks, name="provider_webhooks"),
    path("dienstleister/<uuid:public_id>/rechnungsdaten/", provider_billing.billing_data, name="provider_billing_data"),
    path(
        "<uuid:public_id>/anhaenge/<uuid:attachment_id>/", attachments.attachment_download, name="attachment_download"
    ),
    path("<uuid:public_id>/", detail.calloff_detail, name="detail"),
    path("<uuid:public_id>/aktuell/", detail.calloff_live, name="live"),
    path("<uuid:public_id>/umfang/", scope.calloff_scope, name="scope"),
    path("<uuid:public_id>/netzplan/", readiness.network_overview, name="readiness_network_overview"),
    path("<uuid:public_id>/dokumente/", document_views.documents_panel, name="documents"),
    path("<uuid:public_id>/dokumente/nachweis/", document_views.proof_of_work_request, name="proof_of_work"),
    path("dokumente/<uuid:document_id>/", document_views.document_download, name="document_download"),
    path("dokumente/<uuid:document_id>/erneut/", document_views.document_retry, name="document_retry"),
    path("monatsbericht/", document_views.monthly_report, name="monthly_report"),
    path("monatsbericht.pdf", document_views.monthly_report_pdf, name="monthly_report_pdf"),
    path("monatsbericht.csv", document_views.monthly_report_csv_view, name="monthly_report_csv"),
    path("notfallkarte/<uuid:organisation_id>/", document_views.emergency_card, name="emergency_card"),
    path("<uuid:public_id>/<calloff_action:action>/", detail.calloff_action, name="action"),
]
