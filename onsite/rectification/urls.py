from django.urls import URLPattern, path

from onsite.rectification import views

app_name = "rectification"
urlpatterns: list[URLPattern] = [
    path("", views.rectification_list, name="rectification-list"),
    path("<int:pk>/", views.rectification_detail, name="rectification-detail"),
]
