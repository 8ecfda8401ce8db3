from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The main navigation's entry (onsite.site.navigation); the msgid lives in this app's catalogue.
NAV_LABEL = _("Surveys")


class SurveysConfig(AppConfig):
    name = "onsite.surveys"
    label = "surveys"
    verbose_name = _("Surveys")
