from django.urls import path

from roadmaps import import_views

# /roadmaps/import/
urlpatterns = [
    path("import/", import_views.roadmap_import, name="import"),
    path("import/confirm/", import_views.roadmap_import_confirm, name="import-confirm"),
]
