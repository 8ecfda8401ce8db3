from django.urls import URLPattern, path

from onsite.rectification import views

app_name = "rectification"
urlpatterns: list[URLPattern] = [
    path("", views.rectification_list, name="rectification-list"),
    path("<int:pk>/", views.rectification_detail, name="rectification-detail"),
    path("<int:pk>/photos/", views.photo_upload, name="photo-upload"),
    path("<int:pk>/submit/", views.rectification_submit, name="rectification-submit"),
    path("<int:pk>/return/", views.rectification_return, name="rectification-return"),
    path("<int:pk>/verify/", views.rectification_verify, name="rectification-verify"),
    path("<int:pk>/reassign/", views.rectification_reassign, name="rectification-reassign"),
    path("photos/<int:pk>/", views.photo_view, name="photo"),
    path("photos/<int:pk>/delete/", views.photo_delete, name="photo-delete"),
    path("calendar/", views.calendar, name="calendar"),
]
