"""Contract administration pages under /abrufe/vertrag/ (ministry only); names start with ``contract_``.
Included from calloffs/urls.py, so they live in the ``calloffs`` namespace."""

from django.urls import path

from .views import contract, dashboard, providers, ranking, terms

urlpatterns = [
    path("", dashboard.contract_dashboard, name="contract_dashboard"),
    path("meldungen/<uuid:public_id>/kenntnis/", dashboard.contract_alert_acknowledge, name="contract_alert_ack"),
    path("neu/", contract.contract_create, name="contract_create"),
    path("dienstleister/", providers.contract_provider_list, name="contract_provider_list"),
    path("dienstleister/neu/", providers.contract_provider_create, name="contract_provider_create"),
    path("dienstleister/<uuid:public_id>/", providers.contract_provider_detail, name="contract_provider_detail"),
    path("dienstleister/<uuid:public_id>/bearbeiten/", providers.contract_provider_edit, name="contract_provider_edit"),
    path(
        "dienstleister/<uuid:public_id>/ansprechpersonen/neu/",
        providers.contract_provider_contact_edit,
        name="contract_provider_contact_create",
    ),
    path(
        "dienstleister/<uuid:public_id>/ansprechpersonen/<uuid:contact_id>/",
        providers.contract_provider_contact_edit,
        name="contract_provider_contact_edit",
    ),
    path(
        "dienstleister/<uuid:public_id>/konten/",
        providers.contract_provider_staff_add,
        name="contract_provider_staff_add",
    ),
    path(
        "dienstleister/<uuid:public_id>/konten/entfernen/",
        providers.contract_provider_staff_remove,
        name="contract_provider_staff_remove",
    ),
    path("<uuid:public_id>/", contract.contract_detail, name="contract_detail"),
    path("<uuid:public_id>/bearbeiten/", contract.contract_edit, name="contract_edit"),
    path("<uuid:public_id>/berechtigte-stellen/", contract.contract_entitled, name="contract_entitled"),
    path("<uuid:public_id>/module/neu/", terms.contract_module_edit, name="contract_module_create"),
    path("<uuid:public_id>/module/<uuid:module_id>/", terms.contract_module_edit, name="contract_module_edit"),
    path("<uuid:public_id>/stundensaetze/neu/", terms.contract_role_edit, name="contract_role_create"),
    path("<uuid:public_id>/stundensaetze/<uuid:role_id>/", terms.contract_role_edit, name="contract_role_edit"),
    path("<uuid:public_id>/sla/<str:priority>/", terms.contract_sla_edit, name="contract_sla_edit"),
    path("<uuid:public_id>/rangfolge/", ranking.contract_ranking, name="contract_ranking"),
    path("<uuid:public_id>/rangfolge/neu/", ranking.contract_ranking_edit, name="contract_ranking_edit"),
    path(
        "<uuid:public_id>/rangfolge/v<int:number>/", ranking.contract_ranking_version, name="contract_ranking_version"
    ),
]
