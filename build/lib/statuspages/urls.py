from django.urls import path

from . import views

app_name = "statuspages"

urlpatterns = [
    path("status/<slug:slug>/", views.public_page, name="public"),
    path("status/<slug:slug>/en/", views.public_page, {"language": "en"}, name="public_en"),
    path("status/<slug:slug>/feed/", views.public_feed, name="feed"),
    path("status/<slug:slug>/en/feed/", views.public_feed, {"language": "en"}, name="feed_en"),
    path("statusseiten/", views.page_list, name="list"),
    path("statusseiten/<uuid:public_id>/", views.manage, name="manage"),
]
