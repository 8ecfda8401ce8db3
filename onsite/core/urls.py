from django.urls import path

from onsite.core import job_views, views

app_name = "core"
urlpatterns = [
    path("center/switch/", views.center_switch, name="center-switch"),
    path("jobs/<int:pk>/", job_views.job_detail, name="job"),
    path("jobs/<int:pk>/download/", job_views.job_download, name="job-download"),
]
