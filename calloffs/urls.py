from django.urls import include, path

from .views import api_keys, attachments, detail, filing, lists, situation

app_name = "calloffs"

urlpatterns = [
    path("", lists.calloff_list, name="list"),
    path("neu/", filing.calloff_create, name="create"),
    path("lagebild/", situation.situation, name="situation"),
    path("vertrag/", include("calloffs.urls_contract")),
    path("api-schluessel/", api_keys.api_keys, name="api_keys"),
    path(
        "<uuid:public_id>/anhaenge/<uuid:attachment_id>/", attachments.attachment_download, name="attachment_download"
    ),
    path("<uuid:public_id>/", detail.calloff_detail, name="detail"),
    path("<uuid:public_id>/live/", detail.calloff_live, name="live"),
    path("<uuid:public_id>/<slug:action>/", detail.calloff_action, name="action"),
]
