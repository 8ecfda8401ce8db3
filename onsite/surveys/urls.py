from django.urls import path

from onsite.surveys import views

app_name = "surveys"
urlpatterns = [
    path("", views.survey_list, name="survey-list"),
    path("new/", views.survey_create, name="survey-create"),
    path("<int:pk>/", views.survey_detail, name="survey-detail"),
    path("<int:pk>/edit/", views.survey_edit, name="survey-edit"),
    path("<int:pk>/questions/add/", views.question_add, name="question-add"),
    path("<int:pk>/questions/<int:question_pk>/edit/", views.question_edit, name="question-edit"),
    path(
        "<int:pk>/questions/<int:question_pk>/delete/",
        views.question_delete,
        name="question-delete",
    ),
    path("<int:pk>/questions/<int:question_pk>/move/", views.question_move, name="question-move"),
    path("<int:pk>/publish/", views.survey_publish, name="survey-publish"),
    path("<int:pk>/close/", views.survey_close, name="survey-close"),
    path("<int:pk>/follow-up/", views.survey_follow_up, name="survey-follow-up"),
    path("<int:pk>/answer/", views.survey_answer, name="survey-answer"),
    path("<int:pk>/thanks/", views.survey_thanks, name="survey-thanks"),
    path("<int:pk>/results/", views.survey_results, name="survey-results"),
    path("<int:pk>/results.xlsx", views.survey_export, name="survey-export"),
    path("<int:pk>/compare/", views.survey_compare, name="survey-compare"),
]
