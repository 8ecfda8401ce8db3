from django.urls import URLPattern, path  # noqa: F401

from onsite.programme import views  # noqa: F401

app_name = "programme"
urlpatterns: list[URLPattern] = []
