from django.urls import URLPattern, path

from onsite.vision import views

app_name = "vision"
urlpatterns: list[URLPattern] = [
    path("", views.overview, name="overview"),
    path("answers/<int:pk>/panel/", views.answer_panel, name="answer-panel"),
    path("drafts/<int:pk>/accept/", views.draft_accept, name="draft-accept"),
    path("drafts/<int:pk>/dismiss/", views.draft_dismiss, name="draft-dismiss"),
    path("zones/<slug:code>/reference/", views.zone_reference, name="zone-reference"),
    path("references/<int:pk>/photo/", views.reference_photo, name="reference-photo"),
    path("markers/", views.marker_sheet, name="markers"),
]
