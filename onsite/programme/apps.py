from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The main navigation's label (onsite.core.navigation), kept in this app's catalogue.
NAV_LABEL = _("Programme")


class ProgrammeConfig(AppConfig):
    name = "onsite.programme"
    label = "programme"
    verbose_name = _("Programme")
