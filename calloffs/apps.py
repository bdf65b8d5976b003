from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalloffsConfig(AppConfig):
    name = "calloffs"
    verbose_name = _("Rahmenvertrag und Abrufe")

    def ready(self):
        from digisos.metrics import register_state_source

        from .metrics import collect_state

        register_state_source(collect_state)

        from incidents.visibility import register

        from .visibility import AUDIENCE

        register(AUDIENCE)  # provider visibility of incidents: one rule, in calloffs.visibility

        from tenants.audit import register_verifier

        from .audit_binding import verify_event_bindings

        register_verifier(verify_event_bindings)

        from .documents.receivers import order_in_transaction, order_on_calloff_event
        from .signals import calloff_event_recorded, calloff_event_written

        calloff_event_written.connect(order_in_transaction, dispatch_uid="calloffs.documents.first_order")
        calloff_event_recorded.connect(order_on_calloff_event, dispatch_uid="calloffs.documents.order")

        from tenants.signals import invitation_accepted

        from .receivers import provider_invitation_accepted

        invitation_accepted.connect(provider_invitation_accepted, dispatch_uid="calloffs.provider_invitation")

        from notifications.signals import delivery_failing

        from .receivers import delivery_failing_alert

        delivery_failing.connect(delivery_failing_alert, dispatch_uid="calloffs.delivery_failing")

        from django.db.models.signals import post_delete, post_save

        from .models import ProviderMembership
        from .receivers import provider_membership_changed

        for signal in (post_save, post_delete):
            signal.connect(provider_membership_changed, sender=ProviderMembership, dispatch_uid="calloffs.pm.forget")

        from .situation.panels import register_panel
        from .situation.readiness import readiness_panels

        register_panel(readiness_panels)  # the bodies' readiness in numbers (readiness sits below us)

        from .contract_terms import connect_signals

        connect_signals()  # a change of the contract's terms names a new version of what is kept
