"""/reports/: the downloads of plans, the calendar feeds and the analytical reports, under the
names of the `reports` namespace. The views live in the apps that own the data; reports/ only
draws the files."""

from django.urls import path

from roadmaps import download_views, execution_views
from selfdiag import analytics_views

app_name = "reports"

urlpatterns = [
    # /reports/roadmaps/<pk>/
    path("roadmaps/<int:pk>/pdf/", download_views.roadmap_pdf, name="roadmap-pdf"),
    path("roadmaps/<int:pk>/xlsx/", download_views.roadmap_xlsx, name="roadmap-xlsx"),
    path("roadmaps/<int:pk>/docx/", download_views.roadmap_docx, name="roadmap-docx"),
    path(
        "roadmaps/<int:pk>/calendar/<slug:token>.ics",
        download_views.roadmap_calendar_feed,
        name="roadmap-calendar-feed",
    ),
    # /reports/calendar/
    path("calendar/", download_views.calendar, name="calendar"),
    path("calendar/reset/", download_views.calendar_reset, name="calendar-reset"),
    path("calendar/<slug:token>.ics", download_views.calendar_feed, name="calendar-feed"),
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
    path("monitoring/pdf/", execution_views.monitoring_pdf, name="monitoring-pdf"),
]
