from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StandardsConfig(AppConfig):
    name = "onsite.standards"
    label = "standards"
    verbose_name = _("Execution standards")

    def ready(self) -> None:
        # Registration at start-up: the job registry and the app's modules need the loaded
        # app registry (models), so they cannot be imported with this module.
        from django.urls import reverse

        # (the job registry and this app's modules import models: not before the registry)
        from onsite.core.jobs import JobKind, register
        from onsite.notifications import reminders as deadline_reminders
        from onsite.standards import access, handbook, pdf
        from onsite.standards.reminders import FILING_DUE_SOON

        deadline_reminders.register(FILING_DUE_SOON)

        register(
            pdf.LABELS_JOB,
            JobKind(
                title=_("Position labels"),
                roles=access.READERS,
                build=pdf.build_labels_job,
                back=lambda job: reverse(
                    "standards:version-detail", args=[job.params.get("version", 0)]
                ),
            ),
        )
        register(
            handbook.HANDBOOK_JOB,
            JobKind(
                title=_("Standards handbook"),
                roles=access.READERS,
                build=handbook.build_handbook_job,
                back=lambda job: reverse("standards:standard-list"),
            ),
        )
