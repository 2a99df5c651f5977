from django.urls import path

from roadmaps import execution_views

urlpatterns = [
    # /roadmaps/items/<pk>/
    path("items/<int:pk>/reports/", execution_views.item_reports, name="item-reports"),
    path("items/<int:pk>/reports/add/", execution_views.item_report, name="item-report"),
    path("items/<int:pk>/rollup/", execution_views.item_rollup, name="item-rollup"),
    # /roadmaps/reports/<pk>/
    path("reports/<int:pk>/edit/", execution_views.report_edit, name="report-edit"),
    path("reports/<int:pk>/withdraw/", execution_views.report_withdraw, name="report-withdraw"),
    # /roadmaps/evidence/<pk>/
    path("evidence/<int:pk>/", execution_views.evidence_download, name="evidence-download"),
    path("evidence/<int:pk>/remove/", execution_views.evidence_remove, name="evidence-remove"),
    # /roadmaps/monitoring/
    path("monitoring/", execution_views.monitoring, name="monitoring"),
    # /roadmaps/from-template/
    path(
        "from-template/",
        execution_views.roadmap_from_template,
        name="roadmap-from-template",
    ),
]
