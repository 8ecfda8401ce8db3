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
        from onsite.rectification.services import on_inspection_submitted

        inspection_submitted.connect(
            on_inspection_submitted, dispatch_uid="rectification.open_rectifications"
        )
