from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

NAV_LABEL = _("Photo check")


class VisionConfig(AppConfig):
    name = "onsite.vision"
    label = "vision"
    verbose_name = _("Photo check")

    def ready(self) -> None:
        # The photo check sits above inspections: it hears of a stored photo through
        # inspections' signal and shows its suggestions through inspections' panel registry
        # (connected once the apps are loaded).
        from onsite.inspections.panels import register_panel_source
        from onsite.inspections.signals import photo_added
        from onsite.vision.panels import render_panels
        from onsite.vision.services import on_photo_added

        photo_added.connect(on_photo_added, dispatch_uid="vision.queue_analysis")
        register_panel_source(render_panels)
