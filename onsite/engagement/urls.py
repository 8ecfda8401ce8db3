from django.urls import URLPattern, path  # noqa: F401

from onsite.engagement import views  # noqa: F401

app_name = "engagement"
urlpatterns: list[URLPattern] = []
