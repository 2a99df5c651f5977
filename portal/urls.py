from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path

from orgs.views import home
from portal.health import healthz, readyz

admin.site.site_header = "Портал «Школа Минпросвещения России»"
admin.site.site_title = "Администрирование портала"


def favicon(request):
    # Browsers and feed readers ask for /favicon.ico whatever the page links.
    return redirect(static("img/favicon.ico"), permanent=True)


urlpatterns = [
    path("", home, name="home"),
    # /accounts/
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("orgs/", include("orgs.urls")),
    path("roadmaps/", include("roadmaps.urls")),
    path("selfdiag/", include("selfdiag.urls")),
    path("reports/", include("portal.report_urls")),
    path("jobs/", include("jobs.urls")),
    path("inbox/", include("inbox.urls")),
    path("notifications/", include("notifications.urls")),
    path("api/", include("portal.api_urls")),
    path("admin/", admin.site.urls),
    # Probes for the proxy and orchestrators (see portal/health.py).
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("favicon.ico", favicon, name="favicon"),
]

# JSON under /api/v1/, the site's pages elsewhere.
handler404 = "portal.api_views.not_found"
handler500 = "portal.api_views.failed"
