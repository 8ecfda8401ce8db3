from django.urls import URLPattern, path

from onsite.standards import views

app_name = "standards"
urlpatterns: list[URLPattern] = [
    path("", views.standard_list, name="standard-list"),
    path("area-types/new/", views.area_type_edit, name="area-type-new"),
    path("area-types/<slug:code>/edit/", views.area_type_edit, name="area-type-edit"),
    path("area-types/<slug:code>/", views.standard_detail, name="standard-detail"),
    path("area-types/<slug:code>/revise/", views.revision_start, name="revision-start"),
    path("handbook.pdf", views.handbook_pdf, name="handbook-pdf"),
    path("versions/<int:pk>/", views.version_detail, name="version-detail"),
    path("versions/<int:pk>/settings/", views.version_settings, name="version-settings"),
    path("versions/<int:pk>/publish/", views.version_publish, name="version-publish"),
    path("versions/<int:pk>/discard/", views.version_discard, name="version-discard"),
    path("versions/<int:pk>/diff/", views.version_diff, name="version-diff"),
    path("versions/<int:pk>/plan.svg", views.version_plan, name="version-plan"),
    path("versions/<int:pk>/visual.pdf", views.version_pdf, name="version-pdf"),
    path("versions/<int:pk>/labels.pdf", views.version_labels, name="version-labels"),
    path("versions/<int:pk>/export.xlsx", views.version_export, name="version-export"),
    path("versions/<int:version_pk>/clauses/new/", views.clause_edit, name="clause-new"),
    path("clauses/<int:pk>/edit/", views.clause_edit, name="clause-edit"),
    path("clauses/<int:pk>/delete/", views.clause_delete, name="clause-delete"),
    path("versions/<int:version_pk>/rules/new/", views.rule_edit, name="rule-new"),
    path("rules/<int:pk>/edit/", views.rule_edit, name="rule-edit"),
    path("rules/<int:pk>/delete/", views.rule_delete, name="rule-delete"),
    path("import/", views.version_import, name="version-import"),
    path("import/starter.xlsx", views.starter_workbook, name="starter-workbook"),
    path("items/", views.item_list, name="item-list"),
    path("items/new/", views.item_edit, name="item-new"),
    path("items/<int:pk>/edit/", views.item_edit, name="item-edit"),
    path("filings/", views.filing_list, name="filing-list"),
    path("filings/new/", views.filing_new, name="filing-new"),
    path("filings/<int:pk>/", views.filing_detail, name="filing-detail"),
    path("filings/<int:pk>/review/", views.filing_review, name="filing-review"),
    path("filings/<int:pk>/withdraw/", views.filing_withdraw, name="filing-withdraw"),
]
