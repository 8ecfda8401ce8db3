from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The main navigation's label (onsite.site.navigation), kept in this app's catalogue.
NAV_LABEL = _("Supplies")


class SuppliesConfig(AppConfig):
    name = "onsite.supplies"
    label = "supplies"
    verbose_name = _("Supplies")
