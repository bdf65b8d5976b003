from django.urls import include, path

from .views import detail, filing, lists, situation

app_name = "calloffs"

urlpatterns = [
    path("", lists.calloff_list, name="list"),
    path("neu/", filing.calloff_create, name="create"),
    path("lagebild/", situation.situation, name="situation"),
    path("vertrag/", include("calloffs.urls_contract")),
    path("<uuid:public_id>/", detail.calloff_detail, name="detail"),
    path("<uuid:public_id>/live/", detail.calloff_live, name="live"),
    path("<uuid:public_id>/<slug:action>/", detail.calloff_action, name="action"),
]
