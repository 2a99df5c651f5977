from django.urls import path

from orgs import views

app_name = "orgs"

urlpatterns = [
    path("municipalities/<int:pk>/", views.municipality_detail, name="municipality-detail"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization-detail"),
    # /orgs/import/
    path("import/", views.directory_import, name="directory-import"),
    path("import/confirm/", views.directory_import_confirm, name="directory-import-confirm"),
]
