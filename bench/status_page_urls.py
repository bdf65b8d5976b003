"""URL conf of the status-page benchmark (bench/status_page.py): the real URLs plus a bare Django
view on the same stack (same middleware, same gunicorn), the floor to compare with."""

from django.http import HttpResponse
from django.urls import path

from digisos.urls import urlpatterns as real_urlpatterns


def bare(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), *real_urlpatterns]
