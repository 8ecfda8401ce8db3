from django.contrib import admin
from django.urls import include, path

from config.api import api
from onsite.core import views as core_views
from onsite.inspections import views as inspections_views
from onsite.standards import views as standards_views

handler403 = "onsite.core.views.permission_denied"
handler404 = "onsite.core.views.page_not_found"
handler500 = "onsite.core.views.server_error"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    # What a zone's printed QR card opens (short on purpose).
    path("z/<slug:code>/", standards_views.zone_page, name="zone-page"),
    path("z/<slug:code>/inspect", inspections_views.zone_inspect, name="zone-inspect"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("onsite.accounts.urls")),
    path("org/", include("onsite.org.urls")),
    path("audit/", include("onsite.audit.urls")),
    path("standards/", include("onsite.standards.urls")),
    path("inspections/", include("onsite.inspections.urls")),
    path("rectification/", include("onsite.rectification.urls")),
    path("complaints/", include("onsite.complaints.urls")),
    path("notifications/", include("onsite.notifications.urls")),
    path("programme/", include("onsite.programme.urls")),
    path("surveys/", include("onsite.surveys.urls")),
    path("engagement/", include("onsite.engagement.urls")),
    path("dashboards/", include("onsite.dashboards.urls")),
    path("redtags/", include("onsite.redtags.urls")),
    path("supplies/", include("onsite.supplies.urls")),
    path("vision/", include("onsite.vision.urls")),
    path("equipment/", include("onsite.equipment.urls")),
    path("api/v1/", api.urls),
    path("django-admin/", admin.site.urls),
    path("", include("onsite.site.urls")),
    path("", include("onsite.core.urls")),
]
