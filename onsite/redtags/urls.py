from django.urls import URLPattern, path  # noqa: F401

from onsite.redtags import views  # noqa: F401

app_name = "redtags"
urlpatterns: list[URLPattern] = []
