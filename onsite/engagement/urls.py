from django.urls import path

from onsite.engagement.views import board, calls, suggestions, training

app_name = "engagement"
urlpatterns = [
    # publicity board
    path("", board.board, name="board"),
    path("posts/new/", board.post_create, name="post-create"),
    path("posts/<int:pk>/", board.post_detail, name="post-detail"),
    path("posts/<int:pk>/edit/", board.post_edit, name="post-edit"),
    path("posts/<int:pk>/pin/", board.post_pin, name="post-pin"),
    path("posts/<int:pk>/confirm/", board.post_confirm, name="post-confirm"),
    path("posts/<int:pk>/readers/", board.post_readers, name="post-readers"),
    path("posts/<int:pk>/delete/", board.post_delete, name="post-delete"),
    path("posts/<int:pk>/poster.pdf", board.post_poster, name="post-poster"),
    path("digest/publish/", board.digest_publish, name="digest-publish"),
    path("screen/", board.screen, name="screen"),
    path("photos/<int:pk>/", board.photo, name="photo"),
    path("photos/<int:pk>/thumb/", board.photo_thumb, name="photo-thumb"),
    # training
    path("training/", training.training_list, name="training-list"),
    path("training/new/", training.training_create, name="training-create"),
    path("training/<int:pk>/", training.training_detail, name="training-detail"),
    path("training/<int:pk>/edit/", training.training_edit, name="training-edit"),
    path("training/<int:pk>/qr/", training.training_qr, name="training-qr"),
    path("training/<int:pk>/sign-in/", training.training_sign_in, name="training-sign-in"),
    path("training/<int:pk>/attendance/", training.attendance_record, name="attendance-record"),
    path("training/<int:pk>/documents/", training.document_add, name="document-add"),
    path(
        "training/<int:pk>/documents/<int:document_pk>/",
        training.document_download,
        name="document-download",
    ),
    # acknowledgement of published standards
    path("acknowledgements/", training.acknowledgement_list, name="acknowledgement-list"),
    path("acknowledgements/mine/", training.acknowledgement_mine, name="acknowledgement-mine"),
    path(
        "acknowledgements/<int:pk>/", training.acknowledgement_detail, name="acknowledgement-detail"
    ),
    path(
        "acknowledgements/<int:pk>/confirm/",
        training.acknowledgement_confirm,
        name="acknowledgement-confirm",
    ),
    # slogans and proposals
    path("suggestions/", suggestions.suggestion_list, name="suggestion-list"),
    path("suggestions/new/", suggestions.suggestion_create, name="suggestion-create"),
    path("suggestions/<int:pk>/", suggestions.suggestion_detail, name="suggestion-detail"),
    path("suggestions/<int:pk>/vote/", suggestions.suggestion_vote, name="suggestion-vote"),
    path("suggestions/<int:pk>/review/", suggestions.suggestion_review, name="suggestion-review"),
    path(
        "suggestions/<int:pk>/revision/",
        suggestions.suggestion_revision,
        name="suggestion-revision",
    ),
    # calls for slogans and proposals
    path("calls/", calls.call_list, name="call-list"),
    path("calls/new/", calls.call_create, name="call-create"),
    path("calls/<int:pk>/", calls.call_detail, name="call-detail"),
    path("leaderboard/", suggestions.leaderboard, name="leaderboard"),
]
