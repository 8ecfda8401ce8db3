from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The main navigation's entry (onsite.site.navigation); the msgid lives in this app's catalogue.
NAV_LABEL = _("Publicity board")


class EngagementConfig(AppConfig):
    name = "onsite.engagement"
    label = "engagement"
    verbose_name = _("Engagement")

    def ready(self) -> None:
        # Registration at start-up: the receivers import models, which the app registry must
        # have loaded first.
        from onsite.engagement import receivers

        receivers.connect()
