from django.urls import URLPattern, path

from onsite.complaints import views

app_name = "complaints"
urlpatterns: list[URLPattern] = [
    path("", views.complaint_list, name="complaint-list"),
    path("settings/", views.complaint_settings, name="settings"),
    path("<int:pk>/", views.complaint_detail, name="complaint-detail"),
    path("<int:pk>/verify/", views.complaint_verify, name="complaint-verify"),
    path("<int:pk>/submit/", views.complaint_submit, name="complaint-submit"),
    path("<int:pk>/review/", views.complaint_review, name="complaint-review"),
    path("<int:pk>/revisit/", views.complaint_revisit, name="complaint-revisit"),
    path("<int:pk>/close/", views.complaint_close, name="complaint-close"),
]
