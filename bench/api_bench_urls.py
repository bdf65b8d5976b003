"""URL conf of the API benchmark: the real URLs plus a bare DRF view on the same stack."""

from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from digisos.urls import urlpatterns as real_urlpatterns


class BareView(APIView):
    """DRF with nothing of ours: no key, no database, no throttle; a constant small JSON body."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    def get(self, request):
        return Response({"status": "ok"})


urlpatterns = [path("bench/bare/", BareView.as_view()), *real_urlpatterns]
