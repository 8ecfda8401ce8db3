from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The main navigation's label (onsite.core.navigation), kept in this app's catalogue.
NAV_LABEL = _("Programme")


def sealed_sheets(user: Any) -> Any:
    """Acceptance inspections of rounds still open that someone else rated: blind scoring
    keeps them from everybody, overseers included, until the round closes (the office
    follows progress on the round's pages, which show who submitted, not what)."""
    # Models load after the app registry, so not at this module's top.
    from onsite.programme.models import AcceptanceRound, RatingSheet

    return (
        RatingSheet.objects.filter(assignment__round__status=AcceptanceRound.Status.OPEN)
        .exclude(inspection__inspector=user)
        .values("inspection_id")
    )


class ProgrammeConfig(AppConfig):
    name = "onsite.programme"
    label = "programme"
    verbose_name = _("Programme")

    def ready(self) -> None:
        # Inspections sits below programme: it learns which sheets are sealed from the
        # sealers registered with it, never by importing programme.
        from onsite.inspections.access import register_sealer

        register_sealer(sealed_sheets)
