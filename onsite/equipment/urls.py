from django.urls import path

from onsite.equipment import views

app_name = "equipment"
urlpatterns = [
    path("", views.equipment_list, name="equipment-list"),
    path("new/", views.equipment_add, name="equipment-add"),
    path("<int:pk>/", views.equipment_detail, name="equipment-detail"),
    path("<int:pk>/report/", views.fault_report, name="fault-report"),
    path("<int:pk>/in-use/", views.equipment_in_use, name="equipment-in-use"),
    path("faults/", views.fault_list, name="fault-list"),
    path("faults/<int:pk>/", views.fault_detail, name="fault-detail"),
    path("faults/<int:pk>/log/", views.fault_log, name="fault-log"),
    path("faults/<int:pk>/close/", views.fault_close, name="fault-close"),
    path("faults/<int:pk>/photo/<str:size>.jpg", views.fault_photo, name="fault-photo"),
]
