"""/api/: the REST API (v1), its OpenAPI schema and documentation, the personal token page.

Each app lists its viewsets in `<app>/api.py` as ROUTES = [(prefix, viewset, basename)];
to publish an app's API, import it here and add its ROUTES to `APPS_ROUTES`.
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from inbox import api as inbox_api
from jobs import api as jobs_api
from notifications import api as notifications_api
from orgs import api as orgs_api
from portal import api_views
from roadmaps import api as roadmaps_api
from selfdiag import api as selfdiag_api

app_name = "api"

APPS_ROUTES = [
    *inbox_api.ROUTES,
    *jobs_api.ROUTES,
    *notifications_api.ROUTES,
    *orgs_api.ROUTES,
    *roadmaps_api.ROUTES,
    *selfdiag_api.ROUTES,
]

router = DefaultRouter(use_regex_path=False)
router.include_format_suffixes = False
for prefix, viewset, basename in APPS_ROUTES:
    router.register(prefix, viewset, basename=basename)

urlpatterns = [
    # /api/v1/
    path("v1/", include(router.urls)),
    # /api/schema/, /api/docs/, /api/redoc/
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", api_views.swagger, name="docs"),
    path("redoc/", api_views.redoc, name="redoc"),
    # /api/token/
    path("token/", api_views.token, name="token"),
    path("token/create/", api_views.token_create, name="token-create"),
    path("token/revoke/", api_views.token_revoke, name="token-revoke"),
]
