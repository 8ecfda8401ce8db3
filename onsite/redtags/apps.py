from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# The main navigation's label (onsite.site.navigation), kept in this app's catalogue.
NAV_LABEL = _("Red tags")


class RedtagsConfig(AppConfig):
    name = "onsite.redtags"
    label = "redtags"
    verbose_name = _("Red tags")

    def ready(self) -> None:
        # A start-up registration: the job kind names models and the PDF builder, which load
        # only once every app is ready.
        from onsite.core.jobs import JobKind, register
        from onsite.redtags import pdf
        from onsite.redtags.access import READERS

        register(
            pdf.TAGS_JOB,
            JobKind(
                title=_("Red tags to print"),
                roles=READERS,
                build=pdf.build_tags_job,
                back=lambda job: reverse("redtags:tag-list"),
            ),
        )
