from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RedtagsConfig(AppConfig):
    name = "onsite.redtags"
    label = "redtags"
    verbose_name = _("Red tags")
