from django.urls import URLPattern, path  # noqa: F401

from onsite.standards import views  # noqa: F401

app_name = "standards"
urlpatterns: list[URLPattern] = []
