from django.urls import URLPattern, path  # noqa: F401

from onsite.dashboards import views  # noqa: F401

app_name = "dashboards"
urlpatterns: list[URLPattern] = []
