from django.urls import URLPattern, path

from onsite.inspections import views

app_name = "inspections"
urlpatterns: list[URLPattern] = [
    path("", views.inspection_list, name="inspection-list"),
    path("start/", views.zone_pick, name="zone-pick"),
    path("<int:pk>/", views.inspection_detail, name="inspection-detail"),
    path("<int:pk>/edit/", views.inspection_edit, name="inspection-edit"),
    path("answers/<int:pk>/photos/", views.photo_upload, name="photo-upload"),
    path("photos/<int:pk>/", views.photo_view, name="photo"),
    path("photos/<int:pk>/delete/", views.photo_delete, name="photo-delete"),
    path("findings/", views.finding_list, name="finding-list"),
    path("findings/<int:pk>/", views.finding_detail, name="finding-detail"),
    path("recurring/", views.recurring_checks, name="recurring"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal-detail"),
    path("settings/", views.settings_edit, name="settings"),
]
