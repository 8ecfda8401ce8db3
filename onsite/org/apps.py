from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "onsite.org"
    label = "org"
    verbose_name = _("Organisation")


# Main-menu labels of the organisation's pages (listed in onsite.core.navigation); kept
# here so their translations live in this app's catalogue.
NAV_GROUPS = _("Groups")
NAV_FLOOR_PLAN = _("Floor plan")
NAV_IMPORT = _("Import")
