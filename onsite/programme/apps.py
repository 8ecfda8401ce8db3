from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The main navigation's label (onsite.site.navigation), kept in this app's catalogue.
NAV_LABEL = _("Programme")


class ProgrammeConfig(AppConfig):
    name = "onsite.programme"
    label = "programme"
    verbose_name = _("Programme")

    def ready(self) -> None:
        # Inspections sits below programme: it learns which sheets are sealed from the
        # sealers registered with it, never by importing programme. (Registered once the
        # models are loaded, hence here and not at the module's top.)
        from onsite.inspections.access import register_sealer
        from onsite.programme.access import sealed_sheets
        from onsite.programme.services.rankings import lift_overdue_cards
        from onsite.rectification.signals import rectification_closed

        register_sealer(sealed_sheets)
        # An overdue yellow card is lifted when the items it was issued for are closed.
        rectification_closed.connect(lift_overdue_cards, dispatch_uid="programme.lift_cards")
