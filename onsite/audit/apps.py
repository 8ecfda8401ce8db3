from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "onsite.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        # Registration at start-up, when the app registry is ready (models import safely).
        from onsite.audit import checks  # noqa: F401 - registers the retention check
        from onsite.audit.receivers import record_refusal
        from onsite.core.access import access_refused

        access_refused.connect(record_refusal, dispatch_uid="audit.record_refusal")
