from django.urls import path

from onsite.redtags import views

app_name = "redtags"
urlpatterns = [
    path("", views.tag_list, name="tag-list"),
    path("new/", views.tag_create, name="tag-create"),
    path("decide/", views.tags_decide, name="tags-decide"),
    path("print.pdf", views.tags_pdf, name="tags-pdf"),
    path("figures/", views.figures, name="figures"),
    path("settings/", views.policy, name="policy"),
    path("<int:pk>/", views.tag_detail, name="tag-detail"),
    path("<int:pk>/decide/", views.tag_decide, name="tag-decide"),
    path("<int:pk>/withdraw/", views.tag_withdraw, name="tag-withdraw"),
    path("<int:pk>/receive/", views.tag_receive, name="tag-receive"),
    path("<int:pk>/refuse-transfer/", views.tag_refuse_transfer, name="tag-refuse-transfer"),
    path("<int:pk>/photo/<str:size>.jpg", views.tag_photo, name="tag-photo"),
]
