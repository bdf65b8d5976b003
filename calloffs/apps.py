from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalloffsConfig(AppConfig):
    name = "calloffs"
    verbose_name = _("Rahmenvertrag und Abrufe")

    def ready(self):
        from .documents.receivers import order_on_calloff_event
        from .signals import calloff_event_recorded

        calloff_event_recorded.connect(order_on_calloff_event, dispatch_uid="calloffs.documents.order")

        from tenants.signals import invitation_accepted

        from .receivers import provider_invitation_accepted

        invitation_accepted.connect(provider_invitation_accepted, dispatch_uid="calloffs.provider_invitation")
