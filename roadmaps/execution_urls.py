from django.urls import path

from roadmaps import execution_views

urlpatterns = [
    # /roadmaps/items/<pk>/
    path("items/<int:pk>/reports/", execution_views.item_reports, name="item-reports"),
    path("items/<int:pk>/reports/add/", execution_views.item_report, name="item-report"),
    path("items/<int:pk>/rollup/", execution_views.item_rollup, name="item-rollup"),
    # /roadmaps/reports/<pk>/
    path("reports/<int:pk>/evidence/", execution_views.report_evidence, name="report-evidence"),
    # /roadmaps/monitoring/
    path("monitoring/", execution_views.monitoring, name="monitoring"),
    # /roadmaps/from-template/
    path(
        "from-template/",
        execution_views.roadmap_from_template,
        name="roadmap-from-template",
    ),
]
