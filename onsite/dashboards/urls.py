from django.urls import path

from onsite.dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("heatmap/", views.heatmap, name="heatmap"),
    path("scorecards/", views.scorecards, name="scorecards"),
    path("scorecards/weights/", views.weights_edit, name="weights"),
    path("scorecards/<slug:code>/", views.scorecard, name="scorecard"),
    path("ratings/", views.ratings, name="ratings"),
    path("ratings/import/", views.ratings_import, name="ratings-import"),
    path("ratings/dimensions/", views.dimensions, name="dimensions"),
    path("ratings/template.xlsx", views.ratings_template, name="ratings-template"),
    path("reports/", views.reports, name="reports"),
    path("reports/report/", views.report_request, name="report-request"),
    path("reports/export/", views.export_request, name="export-request"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/download/", views.job_download, name="job-download"),
]
