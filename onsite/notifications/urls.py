from django.urls import path

from onsite.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="notification-list"),
    path("<int:pk>/open/", views.notification_open, name="notification-open"),
    path("read-all/", views.notification_read_all, name="notification-read-all"),
    path("work-chat/", views.work_chat, name="work-chat"),
    path("work-chat/test/", views.work_chat_test, name="work-chat-test"),
]
