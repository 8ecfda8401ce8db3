from django.urls import path

from onsite.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.event_list, name="event-list"),
    path("export/", views.event_export, name="event-export"),
    path("verify/", views.chain_verify, name="chain-verify"),
]
