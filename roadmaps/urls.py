"""URLs of the roadmaps app: the editor and workflow, the document import, execution."""

from roadmaps import editor_urls, execution_urls, import_urls

app_name = "roadmaps"

# /roadmaps/
urlpatterns = [
    *editor_urls.urlpatterns,
    *import_urls.urlpatterns,
    *execution_urls.urlpatterns,
]
