from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "onsite.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        # Registration at start-up: the job registry and the app's modules need the loaded
        # app registry (models), so they cannot be imported with this module.
        from django.urls import reverse

        # (the job registry and this app's modules import models: not before the registry)
        from onsite.core.jobs import JobKind, register
        from onsite.org import access, cards

        register(
            cards.JOB_KIND,
            JobKind(
                title=_("QR cards of zones"),
                roles=access.CARD_PRINTERS,
                build=cards.build_cards_job,
                back=lambda job: reverse("org:zone-list"),
            ),
        )


# Main-menu labels of the organisation's pages (listed in onsite.site.navigation); kept
# here so their translations live in this app's catalogue.
NAV_GROUPS = _("Groups")
NAV_FLOOR_PLAN = _("Floor plan")
NAV_IMPORT = _("Import")
