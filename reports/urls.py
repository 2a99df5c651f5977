from django.urls import path

from reports import analytics_urls, views

app_name = "reports"

urlpatterns = [
    # /reports/roadmaps/<pk>/
    path("roadmaps/<int:pk>/pdf/", views.roadmap_pdf, name="roadmap-pdf"),
    path("roadmaps/<int:pk>/xlsx/", views.roadmap_xlsx, name="roadmap-xlsx"),
    path(
        "roadmaps/<int:pk>/calendar/<slug:token>.ics",
        views.roadmap_calendar_feed,
        name="roadmap-calendar-feed",
    ),
    # /reports/calendar/
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/reset/", views.calendar_reset, name="calendar-reset"),
    path("calendar/<slug:token>.ics", views.calendar_feed, name="calendar-feed"),
]
urlpatterns += analytics_urls.urlpatterns
