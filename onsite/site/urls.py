from django.urls import path

from onsite.site import offline, views

app_name = "site"
urlpatterns = [
    path("", views.home, name="home"),
    path("sw.js", offline.service_worker, name="service-worker"),
    path("manifest.webmanifest", offline.manifest, name="manifest"),
    path("offline/", offline.offline, name="offline"),
    path("favicon.ico", offline.favicon, name="favicon"),
]
