from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

NAV_LABEL = _("Complaint cases")


class ComplaintsConfig(AppConfig):
    name = "onsite.complaints"
    label = "complaints"
    verbose_name = _("Complaint cases")

    def ready(self) -> None:
        # The daily run of rectification (escalation and reminders) tells the apps above it;
        # complaints escalates its own overdue cases on the same run.
        from onsite.complaints.services import COMPLAINT_DUE_SOON, on_daily_run
        from onsite.notifications import reminders
        from onsite.rectification.signals import daily_run

        reminders.register(COMPLAINT_DUE_SOON)
        daily_run.connect(on_daily_run, dispatch_uid="complaints.escalate_overdue")
