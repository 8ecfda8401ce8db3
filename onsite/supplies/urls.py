from django.urls import path

from onsite.supplies import views

app_name = "supplies"
urlpatterns = [
    path("", views.supply_list, name="supply-list"),
    path("new/", views.supply_create, name="supply-create"),
    path("requisitions/", views.requisition_list, name="requisition-list"),
    path("requisitions/new/", views.requisition_create, name="requisition-create"),
    path("requisitions/<int:pk>/", views.requisition_detail, name="requisition-detail"),
    path("requisitions/<int:pk>/approve/", views.requisition_approve, name="requisition-approve"),
    path("requisitions/<int:pk>/issue/", views.requisition_issue, name="requisition-issue"),
    path("requisitions/<int:pk>/end/", views.requisition_end, name="requisition-end"),
    path("returns/", views.return_list, name="return-list"),
    path("returns/new/", views.return_create, name="return-create"),
    path("counts/", views.count_list, name="count-list"),
    path("counts/new/", views.count_create, name="count-create"),
    path("counts/<int:pk>/", views.count_detail, name="count-detail"),
    path("consumption/", views.consumption, name="consumption"),
    path("consumption/<slug:code>/", views.consumption_unit, name="consumption-unit"),
    path("stock/<slug:code>/", views.supply_detail, name="supply-detail"),
    path("stock/<slug:code>/edit/", views.supply_edit, name="supply-edit"),
    path("stock/<slug:code>/receive/", views.supply_receive, name="supply-receive"),
]
