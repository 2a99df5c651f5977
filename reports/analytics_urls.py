"""URLs of the analytical reports, included from reports/urls.py (names in the `reports` app)."""

from django.urls import path

from reports import analytics_views

urlpatterns = [
    # /reports/deficit-map/; a cell: rounds/<round>/schools/<school>/?direction=<code>
    path("deficit-map/", analytics_views.deficit_map, name="deficit-map"),
    path("deficit-map/xlsx/", analytics_views.deficit_map_xlsx, name="deficit-map-xlsx"),
    path("deficit-map/pdf/", analytics_views.deficit_map_pdf, name="deficit-map-pdf"),
    path(
        "deficit-map/rounds/<int:round_pk>/schools/<int:school_pk>/",
        analytics_views.deficit_cell,
        name="deficit-cell",
    ),
    # /reports/dynamics/
    path("dynamics/", analytics_views.dynamics, name="dynamics"),
    # /reports/monitoring/
    path("monitoring/pdf/", analytics_views.monitoring_pdf, name="monitoring-pdf"),
]
