from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Benachrichtigungen")

    def ready(self):
        from digisos.metrics import register_state_source

        from .metrics import collect_state

        register_state_source(collect_state)

        from tenants.mail import register_sender

        from .services import mail_enqueue

        register_sender(mail_enqueue)
