from django.urls import URLPattern, path  # noqa: F401

from onsite.supplies import views  # noqa: F401

app_name = "supplies"
urlpatterns: list[URLPattern] = []
