from django.urls import URLPattern, path  # noqa: F401

from onsite.rectification import views  # noqa: F401

app_name = "rectification"
urlpatterns: list[URLPattern] = []
