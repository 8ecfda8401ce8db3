from django.urls import URLPattern, path

from onsite.inspections import views

app_name = "inspections"
urlpatterns: list[URLPattern] = [
    path("<int:pk>/", views.inspection_detail, name="inspection-detail"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal-detail"),
]
