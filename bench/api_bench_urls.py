"""URL conf of the API benchmark: the real URLs plus two bare DRF views on the same stack.

* ``/bench/bare/``: DRF with nothing of ours and nothing to do (no key, DB, throttle): the floor.
* ``/bench/bare-list/``: a plain DRF ListAPIView of the same 50 call-offs with a plain
  ModelSerializer of the same fields (no key, no scoping, no throttle, no pagination, no filters):
  what DRF costs for this data before any of the API's own work.
"""

from django.urls import path
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from calloffs.models import CallOff
from digisos.urls import urlpatterns as real_urlpatterns


class BareView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    def get(self, request):
        return Response({"status": "ok"})


class BareBodySerializer(serializers.Serializer):
    name = serializers.CharField()
    ags = serializers.CharField()
    kind = serializers.CharField()
    regierungsbezirk = serializers.CharField()


class BareCallOffSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    body = BareBodySerializer(source="organisation")

    class Meta:
        model = CallOff
        fields = ["id", "number", "state", "priority", "category", "body", "submitted_at", "accepted_at", "updated_at"]


class BareListView(generics.ListAPIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []
    filter_backends = []
    pagination_class = None
    serializer_class = BareCallOffSerializer

    def get_queryset(self):
        # The 50 call-offs the list scenario shows (offered to P1), read the plain way.
        return (
            CallOff.objects.filter(offers__provider__short_name="P1", offers__state="open")
            .select_related("organisation")
            .order_by("updated_at", "id")[:50]
        )


urlpatterns = [
    path("bench/bare/", BareView.as_view()),
    path("bench/bare-list/", BareListView.as_view()),
    *real_urlpatterns,
]
