from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The main navigation's label (onsite.site.navigation), kept in this app's catalogue.
NAV_LABEL = _("Equipment")


class EquipmentConfig(AppConfig):
    name = "onsite.equipment"
    label = "equipment"
    verbose_name = _("Equipment")
