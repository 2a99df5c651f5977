from django.urls import path

from jobs import views

app_name = "jobs"

urlpatterns = [
    path("", views.job_list, name="job-list"),
    # /jobs/<pk>/
    path("<int:pk>/", views.job_detail, name="job-detail"),
    path("<int:pk>/progress/", views.job_progress, name="job-progress"),
    path("<int:pk>/download/", views.job_download, name="job-download"),
    # /jobs/rounds/<pk>/, /jobs/roadmaps/<pk>/: start a job from a round's or a plan's page
    path("rounds/<int:pk>/export/", views.round_export, name="round-export"),
    path("rounds/<int:pk>/deficit-map/", views.deficit_map_xlsx, name="deficit-map-xlsx"),
    path("rounds/<int:pk>/deficit-map/pdf/", views.deficit_map_pdf, name="deficit-map-pdf"),
    path("roadmaps/<int:pk>/pdf/", views.plan_pdf, name="plan-pdf"),
]
