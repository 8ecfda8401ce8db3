from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The main navigation's label (onsite.core.navigation), kept in this app's catalogue.
NAV_LABEL = _("Red tags")


class RedtagsConfig(AppConfig):
    name = "onsite.redtags"
    label = "redtags"
    verbose_name = _("Red tags")
