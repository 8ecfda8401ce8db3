from django.urls import path

from onsite.org import views

app_name = "org"
urlpatterns = [
    path("units/", views.unit_list, name="unit-list"),
    path("units/<slug:code>/", views.unit_detail, name="unit-detail"),
    path("zones/", views.zone_list, name="zone-list"),
    path("zones/<slug:code>/", views.zone_detail, name="zone-detail"),
]
