from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "onsite.dashboards"
    label = "dashboards"
    verbose_name = _("Visual management")


# Main-menu label of the dashboard (listed in onsite.site.navigation); kept here so its
# translation lives in this app's catalogue.
NAV_LABEL = _("Dashboard")
