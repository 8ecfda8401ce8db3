from django.urls import path

from onsite.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("center/switch/", views.center_switch, name="center-switch"),
]
