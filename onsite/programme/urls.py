from django.urls import URLPattern, path

from onsite.programme.views import plan, rankings, rounds

app_name = "programme"
urlpatterns: list[URLPattern] = [
    path("", plan.overview, name="overview"),
    path("new/", plan.programme_create, name="programme-create"),
    path("<int:pk>/edit/", plan.programme_edit, name="programme-edit"),
    path("<int:pk>/timeline/", plan.timeline, name="timeline"),
    path("waves/<int:pk>/edit/", plan.wave_edit, name="wave-edit"),
    path("waves/<int:pk>/start/", plan.wave_start, name="wave-start"),
    path("waves/<int:pk>/sign-off/", plan.wave_sign_off, name="wave-sign-off"),
    path("sign-offs/<int:pk>/approve/", plan.sign_off_approve, name="sign-off-approve"),
    path("units/<slug:code>/", plan.unit_progress, name="unit-progress"),
    path("progress/<int:pk>/start/", plan.progress_start, name="progress-start"),
    path("progress/<int:pk>/request/", plan.progress_request, name="progress-request"),
    path("progress/<int:pk>/check/", plan.progress_check, name="progress-check"),
    path("progress/<int:pk>/override/", plan.progress_override, name="progress-override"),
    path("gates/", plan.gate_settings, name="gates"),
    path("rounds/", rounds.round_list, name="round-list"),
    path("rounds/new/", rounds.round_create, name="round-create"),
    path("rounds/<int:pk>/", rounds.round_detail, name="round-detail"),
    path("rounds/<int:pk>/close/", rounds.round_close, name="round-close"),
    path("assignments/<int:pk>/", rounds.assignment_detail, name="assignment-detail"),
    path(
        "assignments/<int:pk>/zones/<slug:zone>/start/",
        rounds.sheet_start,
        name="sheet-start",
    ),
    path("rankings/", rankings.rankings, name="rankings"),
    path("rankings/publish/", rankings.month_publish, name="month-publish"),
    path("cards/", rankings.card_list, name="card-list"),
    path("cards/new/", rankings.card_create, name="card-create"),
    path("cards/findings/", rankings.finding_cards, name="finding-cards"),
    path("cards/<int:pk>/revoke/", rankings.card_revoke, name="card-revoke"),
    path("interviews/", rankings.interview_list, name="interview-list"),
    path("interviews/<int:pk>/held/", rankings.interview_hold, name="interview-hold"),
]
