from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RectificationConfig(AppConfig):
    name = "onsite.rectification"
    label = "rectification"
    verbose_name = _("Rectification")

    def ready(self) -> None:
        # Rectification sits above inspections: it hears of a submitted inspection through
        # inspections' signal (connected once the apps are loaded).
        from onsite.inspections.signals import inspection_submitted
        from onsite.notifications import reminders
        from onsite.rectification.services import RECTIFICATION_DUE_SOON, on_inspection_submitted

        reminders.register(RECTIFICATION_DUE_SOON)

        inspection_submitted.connect(
            on_inspection_submitted, dispatch_uid="rectification.open_rectifications"
        )
