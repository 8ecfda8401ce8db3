from django.urls import URLPattern, path  # noqa: F401

from onsite.surveys import views  # noqa: F401

app_name = "surveys"
urlpatterns: list[URLPattern] = []
