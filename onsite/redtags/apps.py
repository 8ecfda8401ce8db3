from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The main navigation's label (onsite.core.navigation), kept in this app's catalogue.
NAV_LABEL = _("Red tags")


class RedtagsConfig(AppConfig):
    name = "onsite.redtags"
    label = "redtags"
    verbose_name = _("Red tags")

    def ready(self) -> None:
        from django.urls import reverse

        from onsite.core.jobs import JobKind, register
        from onsite.redtags import pdf
        from onsite.supplies.access import READERS

        register(
            pdf.TAGS_JOB,
            JobKind(
                title=_("Red tags to print"),
                roles=READERS,
                build=pdf.build_tags_job,
                back=lambda job: reverse("redtags:tag-list"),
            ),
        )
